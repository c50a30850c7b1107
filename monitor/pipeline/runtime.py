"""The running monitor: one worker per site, the readings writer, and the operator actions.

Built from a validated config and its services; `start()` restores what the store knows
(thresholds changed at run time, alerts still open), `stop()` undoes `start()` in reverse.
"""

from __future__ import annotations

import logging

from monitor.alerts.engine import AlertEngine
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import alert_public, reading_payload, thresholds_public
from monitor.bus.messages import AlertPayload, AlertPublic, SitePublic
from monitor.config.app import AppConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.density.base import DensityEstimator
from monitor.measure.ground import ground_model
from monitor.pipeline.ports import ReadingSink, SourceFactory
from monitor.pipeline.service import UnknownAlert, UnknownSite
from monitor.pipeline.site_worker import SiteWorker
from monitor.store.base import Store

log = logging.getLogger(__name__)


class Runtime:
    def __init__(
        self,
        config: AppConfig,
        estimator: DensityEstimator,
        source_factory: SourceFactory,
        bus: InMemoryBus,
        store: Store,
        readings: ReadingSink,
    ) -> None:
        self._config = config
        self._estimator = estimator
        self._source_factory = source_factory
        self._bus = bus
        self._store = store
        self._readings = readings
        self._workers: dict[str, SiteWorker] = {}

    def start(self) -> None:
        overrides = self._store.current_thresholds()
        open_alerts = {alert.site_id: alert for alert in self._store.open_alerts()}
        for site in self._config.sites:
            thresholds = overrides.get(site.id, site.thresholds)
            engine = AlertEngine(site.id, thresholds, open_alert=open_alerts.get(site.id))
            self._workers[site.id] = SiteWorker(
                site=site,
                ground=ground_model(site.ground, site.roi),
                engine=engine,
                estimator=self._estimator,
                source_factory=self._source_factory,
                bus=self._bus,
                store=self._store,
                readings=self._readings,
            )
        for worker in self._workers.values():
            worker.start()
        log.info(
            "monitoring %d site(s) with estimator %s", len(self._workers), self._estimator.name
        )

    def stop(self, timeout: float = 5.0) -> None:
        for worker in reversed(list(self._workers.values())):
            worker.stop(timeout)

    # -- MonitorService ------------------------------------------------------------------

    def sites(self) -> list[SitePublic]:
        return [self._site_public(worker) for worker in self._workers.values()]

    def site(self, site_id: str) -> SitePublic:
        return self._site_public(self._worker(site_id))

    def open_alerts(self) -> list[AlertPublic]:
        return [
            alert_public(worker.open_alert)
            for worker in self._workers.values()
            if worker.open_alert is not None
        ]

    def snapshot_jpeg(self, site_id: str, overlay: bool) -> bytes | None:
        return self._worker(site_id).snapshot_jpeg(overlay)

    def set_thresholds(self, site_id: str, thresholds: ThresholdsConfig, by: str) -> None:
        self._worker(site_id).set_thresholds(thresholds, by)

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        for worker in self._workers.values():
            alert = worker.open_alert
            if alert is not None and alert.id == alert_id:
                return worker.acknowledge(alert_id, by, note)
        raise UnknownAlert(f"no open alert '{alert_id}'")

    # -- helpers -------------------------------------------------------------------------

    def _worker(self, site_id: str) -> SiteWorker:
        try:
            return self._workers[site_id]
        except KeyError:
            raise UnknownSite(f"no site '{site_id}'") from None

    def _site_public(self, worker: SiteWorker) -> SitePublic:
        site = worker.site
        latest = worker.latest
        return SitePublic(
            id=site.id,
            name_en=site.name.en,
            name_zh=site.name.zh,
            lat=site.location.lat,
            lon=site.location.lon,
            location_approximate=site.location.approximate,
            analysis_fps=site.analysis_fps,
            roi=list(site.roi),
            status=worker.status,
            status_reason=worker.status_reason,
            level=worker.level,
            level_color=worker.level_color,
            thresholds=thresholds_public(worker.thresholds),
            latest=reading_payload(latest) if latest else None,
        )
