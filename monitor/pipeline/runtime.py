"""The running monitor: one worker per site, the readings writer, and the operator actions.

Built from a validated config and its services; `start()` restores what the store knows
(thresholds changed at run time, alerts still open), `stop()` undoes `start()` in reverse.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import numpy as np

from monitor.alerts import lifecycle
from monitor.alerts.engine import AlertEngine, Step, new_id
from monitor.alerts.turbulence import TURBULENCE_METRIC
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import (
    alert_payload,
    alert_public,
    thresholds_public,
)
from monitor.bus.messages import (
    AlertPayload,
    AlertPublic,
    MessageType,
    PlatformPublic,
    RecordingStatusPublic,
    SiteConfigPayload,
    SitePublic,
    SiteSetupPublic,
)
from monitor.config.app import AppConfig
from monitor.config.motion import MotionConfig
from monitor.config.quality import ImageQualityConfig
from monitor.config.site import GroundPoint, Point, SiteConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.density.base import DensityEstimator
from monitor.measure.ground import GroundModel, ground_model
from monitor.measure.setup import origin_of
from monitor.pipeline.ports import ReadingSink, SourceFactory
from monitor.pipeline.service import FrameSample, UnknownAlert, UnknownPlatform, UnknownSite
from monitor.pipeline.site_setup import (
    Fields,
    SiteChangeError,
    changed_fields,
    changed_site,
    setup_public,
)
from monitor.pipeline.site_worker import SiteWorker
from monitor.pipeline.view_keeper import ViewReferenceStore
from monitor.store.base import Store
from monitor.store.site_overrides import SiteChange, SiteOverrides
from monitor.store.view_references import ViewReference

log = logging.getLogger(__name__)

# Changes a supervisor makes looking at the live view: what they drew fits that view, so it
# becomes the one the camera is held to (see monitor.pipeline.view_keeper).
_DRAWN_ON_THE_VIEW = frozenset({"region", "calibration"})


class Runtime:
    def __init__(
        self,
        config: AppConfig,
        estimator: DensityEstimator,
        source_factory: SourceFactory,
        bus: InMemoryBus,
        store: Store,
        readings: ReadingSink,
        *,
        recording: Callable[[str], RecordingStatusPublic | None] | None = None,
        site_overrides: SiteOverrides | None = None,
        view_references: ViewReferenceStore | None = None,
    ) -> None:
        # Site setup changed at run time; None: changes apply but are not kept.
        self._site_overrides = site_overrides
        self._view_references = view_references  # None: kept while the process runs
        self._change_lock = threading.Lock()  # one site change at a time
        self._setup_cache: dict[
            str,
            tuple[SiteConfig, GroundModel, tuple[int, int] | None, str | None, SiteSetupPublic],
        ] = {}
        self._config = config
        self._recording = recording  # a site's recording status, shown with the site
        self._estimator = estimator
        self._source_factory = source_factory
        self._bus = bus
        self._store = store
        self._readings = readings
        self._workers: dict[str, SiteWorker] = {}
        # Serialises operator steps on alerts of sites no longer configured.
        self._retired_lock = threading.Lock()

    def start(self) -> None:
        overrides = self._store.current_thresholds()
        site_overrides = self._site_overrides.current() if self._site_overrides else {}
        # Oldest first: a site's latest alert of each kind is the one its engine may follow.
        open_alerts = {
            (a.site_id, a.metric == TURBULENCE_METRIC): a for a in self._store.open_alerts()
        }
        for yaml_site in self._config.sites:
            site, ground = self._restored_site(yaml_site, site_overrides.get(yaml_site.id))
            thresholds = overrides.get(site.id, site.thresholds)
            engine = AlertEngine(
                site.id,
                thresholds,
                open_alert=open_alerts.get((site.id, False)),
                escalate_after_s=self._config.alerts.escalate_unacknowledged_after_s,
            )
            self._workers[site.id] = SiteWorker(
                site=site,
                ground=ground,
                engine=engine,
                estimator=self._estimator,
                source_factory=self._source_factory,
                bus=self._bus,
                store=self._store,
                readings=self._readings,
                views=self._view_references,
                turbulence_alert=open_alerts.get((site.id, True)),
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
        """Every alert not yet resolved, including those whose crowd has cleared."""
        return [alert_public(alert) for alert in self._store.open_alerts()]

    def snapshot_jpeg(self, site_id: str, overlay: bool) -> bytes | None:
        return self._worker(site_id).snapshot_jpeg(overlay)

    def frame_sample(self, site_id: str) -> FrameSample | None:
        return self._worker(site_id).frame_sample()

    def count_frame(self, site_id: str, image: np.ndarray, captured_at: float) -> FrameSample:
        return self._worker(site_id).count_frame(image, captured_at)

    def set_thresholds(self, site_id: str, thresholds: ThresholdsConfig, by: str) -> None:
        self._worker(site_id).set_thresholds(thresholds, by)

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        return self._respond(
            alert_id, lambda a, eid: lifecycle.acknowledge(a, by, note, time.time(), eid)
        )

    def dispatch(self, alert_id: str, platform_id: str, by: str, note: str) -> AlertPayload:
        to = self._dispatch_to(platform_id)
        return self._respond(
            alert_id, lambda a, eid: lifecycle.dispatch(a, to, by, note, time.time(), eid)
        )

    def arrive(self, alert_id: str, by: str, note: str) -> AlertPayload:
        return self._respond(
            alert_id, lambda a, eid: lifecycle.arrive(a, by, note, time.time(), eid)
        )

    def resolve(self, alert_id: str, by: str, outcome: str) -> AlertPayload:
        return self._respond(
            alert_id, lambda a, eid: lifecycle.resolve(a, by, outcome, time.time(), eid)
        )

    def platforms(self) -> list[PlatformPublic]:
        return [
            PlatformPublic(
                id=p.id,
                name=p.name,
                tier_minutes=p.tier_minutes,
                lat=p.location.lat,
                lon=p.location.lon,
            )
            for p in self._config.platforms
        ]

    # -- site setup ----------------------------------------------------------------------

    def site_config(self, site_id: str) -> SiteConfig:
        worker = self._worker(site_id)
        return worker.site.model_copy(update={"thresholds": worker.thresholds})

    def effective_config(self) -> AppConfig:
        """The config as it runs now: the YAML with every change made since laid over it."""
        sites = [self.site_config(site_id) for site_id in self._workers]
        return self._config.model_copy(update={"sites": sites})

    def set_region(
        self,
        site_id: str,
        roi: list[Point],
        exclude: list[list[Point]],
        by: str,
        area_m2: float | None = None,
    ) -> SitePublic:
        def fields(site: SiteConfig) -> Fields:
            changed: Fields = {"roi": roi, "exclude": exclude}
            if area_m2 is not None:
                changed["ground"] = site.ground.model_dump(mode="json") | {"area_m2": area_m2}
            return changed

        return self._change_site(site_id, "region", fields, by)

    def set_calibration(self, site_id: str, calibration: list[GroundPoint], by: str) -> SitePublic:
        pairs = [pair.model_dump(mode="json") for pair in calibration]

        def fields(site: SiteConfig) -> Fields:
            # The area is kept, for going back to one scale.
            return {"ground": {"area_m2": site.ground.area_m2, "calibration": pairs}}

        return self._change_site(site_id, "calibration", fields, by)

    def clear_calibration(self, site_id: str, area_m2: float | None, by: str) -> SitePublic:
        worker = self._worker(site_id)
        area = area_m2 or worker.site.ground.area_m2
        if area is None:
            # No area was ever configured: keep the ground area the calibration measured.
            site_now = self.site(site_id)
            area = site_now.setup.region_area_m2 if site_now.setup else None
        if area is None:
            raise SiteChangeError("area_m2", "give the region's walkable area in m²")
        ground = {"ground": {"area_m2": area}}
        return self._change_site(site_id, "calibration", lambda _: ground, by)

    def set_source(self, site_id: str, source: str, start_offset_s: float, by: str) -> SitePublic:
        fields = {"source": source, "start_offset_s": start_offset_s}
        return self._change_site(site_id, "source", lambda _: fields, by)

    def set_image_quality(self, site_id: str, limits: ImageQualityConfig, by: str) -> SitePublic:
        fields = {"image_quality": limits.model_dump(mode="json")}
        return self._change_site(site_id, "picture", lambda _: fields, by)

    def set_motion(self, site_id: str, motion: MotionConfig, by: str) -> SitePublic:
        fields = {"motion": motion.model_dump(mode="json")}
        return self._change_site(site_id, "motion", lambda _: fields, by)

    def set_count_scale(self, site_id: str, count_scale: float, by: str) -> SitePublic:
        return self._change_site(site_id, "count", lambda _: {"count_scale": count_scale}, by)

    def site_changes(self, site_id: str, limit: int) -> list[SiteChange]:
        self._worker(site_id)
        return self._site_overrides.changes(site_id, limit) if self._site_overrides else []

    def view_reference(self, site_id: str) -> ViewReference | None:
        return self._worker(site_id).view_reference

    def take_view_reference(self, site_id: str, by: str) -> ViewReference | None:
        return self._worker(site_id).take_view_reference(by)

    def _change_site(
        self, site_id: str, kind: str, make_fields: Callable[[SiteConfig], Fields], by: str
    ) -> SitePublic:
        """`make_fields` gives the changed fields from the site as it stands under the lock,
        so two changes at once cannot undo each other."""
        worker = self._worker(site_id)
        with self._change_lock:
            before = worker.site
            fields = make_fields(before)
            after, ground = changed_site(before, fields, worker.frame_size)
            old, new = changed_fields(before, after, list(fields))
            if self._site_overrides is not None:
                self._site_overrides.record(SiteChange(site_id, time.time(), by, kind, old, new))
            worker.reconfigure(after, ground)
            if kind in _DRAWN_ON_THE_VIEW:
                worker.take_view_reference(by)
        public = self._site_public(worker)
        payload = SiteConfigPayload(site=public, kind=kind, changed_by=by)
        self._bus.publish(MessageType.SITE_CONFIG, site_id, payload)
        return public

    def _restored_site(
        self, site: SiteConfig, fields: Fields | None
    ) -> tuple[SiteConfig, GroundModel]:
        """The YAML's site with the changes kept in the store; the YAML's alone when those
        no longer fit it (the YAML was edited since), with a warning."""
        if fields:
            try:
                return changed_site(site, fields, None)
            except SiteChangeError as error:
                log.warning("site %s: stored setup changes ignored: %s", site.id, error)
        return site, ground_model(site.ground, site.roi, origin_of(site))

    # -- helpers -------------------------------------------------------------------------

    def _respond(self, alert_id: str, step: Step) -> AlertPayload:
        alert = self._store.alert(alert_id)
        if alert is None:
            raise UnknownAlert(f"no alert '{alert_id}'")
        worker = self._workers.get(alert.site_id)
        if worker is not None:
            return worker.respond(alert_id, step)
        with self._retired_lock:  # a site no longer configured: only operators touch it
            current = self._store.alert(alert_id)
            assert current is not None  # alerts are never deleted
            update = step(current, new_id())
            self._store.save_alert_update(update)
        payload = alert_payload(update)
        self._bus.publish(MessageType.ALERT, update.alert.site_id, payload)
        return payload

    def _dispatch_to(self, platform_id: str) -> lifecycle.Dispatch:
        for platform in self._config.platforms:
            if platform.id == platform_id:
                return lifecycle.Dispatch(platform.id, platform.name, platform.tier_minutes)
        raise UnknownPlatform(f"no response platform '{platform_id}'")

    def _worker(self, site_id: str) -> SiteWorker:
        try:
            return self._workers[site_id]
        except KeyError:
            raise UnknownSite(f"no site '{site_id}'") from None

    def _site_public(self, worker: SiteWorker) -> SitePublic:
        site = worker.site
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
            status_since=worker.status_since,
            picture_since=worker.picture_since,
            level=worker.level,
            level_color=worker.level_color,
            thresholds=thresholds_public(worker.thresholds),
            latest=worker.latest_payload,
            recording=self._recording(site.id) if self._recording is not None else None,
            setup=self._setup_public(worker),
        )

    def _setup_public(self, worker: SiteWorker) -> SiteSetupPublic:
        # Cached: it rasterises the region, and every site list and websocket snapshot
        # asks for it, while it changes only with the setup, frame size or schedule.
        site, ground = worker.site, worker.ground
        frame_size, schedule = worker.frame_size, worker.active_schedule
        cached = self._setup_cache.get(site.id)
        if (
            cached is not None
            and cached[0] is site
            and cached[1] is ground
            and cached[2:4] == (frame_size, schedule)
        ):
            return cached[4]
        public = setup_public(site, ground, frame_size, schedule)
        self._setup_cache[site.id] = (site, ground, frame_size, schedule, public)
        return public
