"""One site's analysis loop: newest frame → density → measurement → alert engine → bus.

Runs at the site's analysis rate on whatever frame is newest; frames that arrive in
between are dropped by the source's single slot, so a slow estimator never builds a
backlog. Alert updates are stored before they are published, so an acknowledged alert a
client sees is always one the store knows.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from monitor.alerts.engine import AlertEngine
from monitor.alerts.model import Alert, AlertUpdate
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import alert_payload, reading_payload, thresholds_public
from monitor.bus.messages import (
    AlertPayload,
    MessageType,
    SiteStatus,
    SiteStatusPayload,
    ThresholdsPayload,
)
from monitor.config.site import SiteConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.density.base import DensityEstimator
from monitor.ingest.frames import CapturedFrame
from monitor.measure.geometry import SiteGeometry, build_geometry
from monitor.measure.ground import GroundModel
from monitor.measure.measure import measure
from monitor.pipeline.evaluate import metric_value
from monitor.pipeline.ports import ReadingSink, Source, SourceFactory
from monitor.render.overlay import draw_heat, encode_jpeg
from monitor.store.base import Store, StoredReading, ThresholdChange

log = logging.getLogger(__name__)

NORMAL_COLOR = "#2e9e5b"


@dataclass(frozen=True, slots=True)
class Analysed:
    frame: CapturedFrame
    reading: StoredReading


class SiteWorker:
    def __init__(
        self,
        site: SiteConfig,
        ground: GroundModel,
        engine: AlertEngine,
        estimator: DensityEstimator,
        source_factory: SourceFactory,
        bus: InMemoryBus,
        store: Store,
        readings: ReadingSink,
    ) -> None:
        self.site = site
        self._ground = ground
        self._engine = engine
        self._estimator = estimator
        self._bus = bus
        self._store = store
        self._readings = readings
        self._lock = threading.Lock()  # guards the engine and the latest frame
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._geometry: SiteGeometry | None = None
        self._frame_size: tuple[int, int] = (0, 0)
        self._latest: Analysed | None = None
        self._jpeg_cache: tuple[int, bool, bytes] | None = None
        self.status: SiteStatus = "starting"
        self.status_reason = ""
        self._source_status: tuple[SiteStatus, str] = ("starting", "")
        self._analysis_error = ""
        self._source: Source = source_factory(site, self._on_source_status)

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._source.start()
        self._thread = threading.Thread(target=self._run, name=f"site-{self.site.id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._source.stop(timeout)

    # -- state for the API ---------------------------------------------------------------

    @property
    def level(self) -> str:
        return self._engine.level

    @property
    def level_color(self) -> str:
        for level in self._engine.thresholds.levels:
            if level.name == self._engine.level:
                return level.color
        return NORMAL_COLOR

    @property
    def thresholds(self) -> ThresholdsConfig:
        return self._engine.thresholds

    @property
    def open_alert(self) -> Alert | None:
        return self._engine.alert

    @property
    def dropped_frames(self) -> int:
        return self._source.frames.dropped

    @property
    def latest(self) -> StoredReading | None:
        latest = self._latest
        return latest.reading if latest else None

    def snapshot_jpeg(self, overlay: bool) -> bytes | None:
        latest = self._latest
        if latest is None:
            return None
        cached = self._jpeg_cache
        if cached is not None and cached[0] == latest.frame.seq and cached[1] == overlay:
            return cached[2]
        image = latest.frame.image
        if overlay:
            image = draw_heat(image, latest.reading.grid, self.site.roi)
        jpeg = encode_jpeg(image)
        self._jpeg_cache = (latest.frame.seq, overlay, jpeg)
        return jpeg

    # -- operator actions ----------------------------------------------------------------

    def set_thresholds(self, thresholds: ThresholdsConfig, by: str) -> None:
        with self._lock:
            old = self._engine.thresholds
            self._engine.set_thresholds(thresholds)
        self._store.record_threshold_change(
            ThresholdChange(
                site_id=self.site.id, at=time.time(), changed_by=by, old=old, new=thresholds
            )
        )
        payload = ThresholdsPayload(thresholds=thresholds_public(thresholds), changed_by=by)
        self._bus.publish(MessageType.THRESHOLDS, self.site.id, payload)

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        with self._lock:
            update = self._engine.acknowledge(alert_id, by, note, time.time())
        return self._emit_alert(update)

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        period = 1.0 / self.site.analysis_fps
        last_seq = -1
        while not self._stop.is_set():
            frame = self._source.frames.take_newer(last_seq, timeout=0.5)
            if frame is None:
                continue
            started = time.monotonic()
            last_seq = frame.seq
            self._analyse_safely(frame)
            self._stop.wait(max(0.0, period - (time.monotonic() - started)))

    def _analyse_safely(self, frame: CapturedFrame) -> None:
        try:
            self._analyse(frame)
        except Exception as error:  # one bad frame or model hiccup must not kill the site
            log.exception("site %s: analysis failed", self.site.id)
            self._analysis_error = f"analysis failed: {type(error).__name__}: {error}"
            self._refresh_status()
        else:
            if self._analysis_error:
                self._analysis_error = ""
                self._refresh_status()

    def _analyse(self, frame: CapturedFrame) -> None:
        density = self._estimator.estimate(frame.image)
        geometry = self._geometry_for(density.frame_size, density.values.shape)
        measurement = measure(density, geometry, self.site.count_scale)
        with self._lock:
            value = metric_value(measurement, self._engine.thresholds.metric)
            updates = self._engine.update(frame.captured_at, value)
            level = self._engine.level
        for update in updates:
            self._emit_alert(update)
        width, height = density.frame_size
        reading = StoredReading(
            site_id=self.site.id,
            seq=frame.seq,
            captured_at=frame.captured_at,
            analysed_at=time.time(),
            count=round(measurement.count, 2),
            mean_density=round(measurement.mean_density, 3),
            peak_density=round(measurement.peak_density, 3),
            level=level,
            grid=measurement.grid,
            frame_width=width,
            frame_height=height,
        )
        self._latest = Analysed(frame, reading)
        self._bus.publish(MessageType.READING, self.site.id, reading_payload(reading))
        self._readings.submit(reading)

    def _geometry_for(self, frame_size: tuple[int, int], shape: tuple[int, ...]) -> SiteGeometry:
        rows, cols = shape
        geometry = self._geometry
        if (
            geometry is None
            or geometry.density_shape != (rows, cols)
            or self._frame_size != frame_size
        ):
            geometry = build_geometry(
                self.site.roi, self._ground, frame_size, (rows, cols), self.site.peak_window_m
            )
            self._geometry = geometry
            self._frame_size = frame_size
        return geometry

    def _emit_alert(self, update: AlertUpdate) -> AlertPayload:
        self._store.save_alert_update(update)
        payload = alert_payload(update)
        self._bus.publish(MessageType.ALERT, self.site.id, payload)
        return payload

    # -- status --------------------------------------------------------------------------

    def _on_source_status(self, status: SiteStatus, reason: str) -> None:
        self._source_status = (status, reason)
        self._refresh_status()

    def _refresh_status(self) -> None:
        status, reason = self._source_status
        if status == "online" and self._analysis_error:
            status, reason = "offline", self._analysis_error
        if (status, reason) == (self.status, self.status_reason):
            return
        self.status, self.status_reason = status, reason
        log.info("site %s: %s %s", self.site.id, status, reason)
        payload = SiteStatusPayload(
            status=status, reason=reason, dropped_frames=self.dropped_frames
        )
        self._bus.publish(MessageType.SITE_STATUS, self.site.id, payload)
