"""An honest in-test MonitorService: real alert engines, a real bus and a real store.

It stands in for the pipeline runtime; readings come from `observe` instead of video.
Site setup is not faked: it is tested against the real runtime (tests/pipeline/
test_site_setup.py, tests/api/test_roles.py, tests/web/test_setup_page.py), so those
methods refuse loudly rather than pretend.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import numpy as np

from monitor.alerts import lifecycle
from monitor.alerts.engine import AlertEngine, Step, new_id
from monitor.alerts.trend import Trend
from monitor.alerts.turbulence import TURBULENCE_METRIC, turbulence_thresholds, turbulence_value
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import alert_payload, alert_public, reading_payload, thresholds_public
from monitor.bus.messages import (
    AlertPayload,
    AlertPublic,
    MessageType,
    PlatformPublic,
    SitePublic,
    SiteStatus,
    ThresholdsPayload,
)
from monitor.config.app import AppConfig
from monitor.config.motion import MotionConfig
from monitor.config.quality import ImageQualityConfig
from monitor.config.site import GroundPoint, Point, SiteConfig
from monitor.config.thresholds import LevelConfig, ThresholdsConfig
from monitor.motion.measure import Motion
from monitor.pipeline.service import FrameSample, UnknownAlert, UnknownPlatform, UnknownSite
from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.store.base import Store, StoredReading, ThresholdChange
from monitor.store.site_overrides import SiteChange
from monitor.store.view_references import ViewReference

SITE_IDS = ("gate-a", "gate-b")
PLATFORMS = (
    PlatformPublic(id="gate-1min", name="Gate platform", tier_minutes=1, lat=28.19, lon=112.97),
    PlatformPublic(id="station-5min", name="Station", tier_minutes=5, lat=28.2, lon=112.98),
)
SETUP_NOT_FAKED = "site setup is tested against the real runtime, not this fake"
COLORS = {"normal": "#2f9e44", "elevated": "#f5c542", "critical": "#e03131"}


def default_thresholds() -> ThresholdsConfig:
    return ThresholdsConfig(
        min_duration_s=0,
        cooldown_s=0,
        levels=[
            LevelConfig(name="elevated", color=COLORS["elevated"], enter=2.0, exit=1.5),
            LevelConfig(name="critical", color=COLORS["critical"], enter=4.0, exit=3.5),
        ],
    )


def picture_verdict(*issues: QualityIssue) -> QualityVerdict:
    """A picture with these issues (none: a good one), its measures typical of a street."""
    median = FrameQuality(noise=1.0, detail=0.9, blocking=1.2, spread=40.0)
    return QualityVerdict(issues=issues, median=median)


def stored_reading(
    site_id: str,
    seq: int,
    at: float,
    peak: float,
    grid_side: int = 3,
    quality: QualityVerdict | None = None,
) -> StoredReading:
    return StoredReading(
        site_id=site_id,
        seq=seq,
        captured_at=at,
        analysed_at=at + 0.25,
        count=10.0 * peak,
        mean_density=peak / 2,
        peak_density=peak,
        level="normal",
        grid=[
            [None if (r + c) % 5 == 0 else peak for c in range(grid_side)] for r in range(grid_side)
        ],
        frame_width=640,
        frame_height=480,
        quality=quality,
    )


class FakeMonitor:
    def __init__(self, bus: InMemoryBus, store: Store) -> None:
        self._bus = bus
        self._store = store
        self._lock = threading.Lock()
        self._engines = {site: AlertEngine(site, default_thresholds()) for site in SITE_IDS}
        # Each site's second engine, on its crowd pressure, with the default motion section.
        self._turbulence = {
            site: AlertEngine(site, turbulence_thresholds(MotionConfig()), metric=TURBULENCE_METRIC)
            for site in SITE_IDS
        }
        self._latest: dict[str, StoredReading] = {}
        self._frames: dict[str, bytes] = {}
        self._trends: dict[str, Trend | None] = {}
        # Set by report_status: (status, since, reason); otherwise online once it has a
        # reading, starting before.
        self._status: dict[str, tuple[SiteStatus, float, str]] = {}

    # -- what the pipeline would do ------------------------------------------------------

    def report_status(
        self, site_id: str, status: SiteStatus, since: float, reason: str = ""
    ) -> None:
        """The site's camera changed state at `since` (as its source would report it)."""
        with self._lock:
            self._status[site_id] = (status, since, reason)

    def observe(
        self,
        site_id: str,
        seq: int,
        at: float,
        peak: float,
        quality: QualityVerdict | None = None,
        trend: Trend | None = None,
        motion: Motion | None = None,
    ) -> StoredReading:
        """One analysed frame: stored, published, and fed to the site's alert engine.

        The trend is given, not estimated: the pipeline tests cover the estimate."""
        with self._lock:
            engine = self._engines[site_id]
            updates = engine.update(at, peak)
            pressure = turbulence_value(MotionConfig(), motion)
            if pressure is not None:
                updates += self._turbulence[site_id].update(at, pressure)
            reading = stored_reading(site_id, seq, at, peak, quality=quality)
            reading = dataclasses.replace(reading, level=engine.level, motion=motion)
            self._store.add_readings([reading])
            self._latest[site_id] = reading
            self._trends[site_id] = trend
            self._frames[site_id] = b"\xff\xd8\xff\xe0" + f"{site_id}:{seq}".encode()
            self._bus.publish(MessageType.READING, site_id, reading_payload(reading, trend))
            for update in updates:
                self._store.save_alert_update(update)
                self._bus.publish(MessageType.ALERT, site_id, alert_payload(update))
            return reading

    # -- MonitorService ------------------------------------------------------------------

    def sites(self) -> list[SitePublic]:
        with self._lock:
            return [self._site_public(site) for site in self._engines]

    def site(self, site_id: str) -> SitePublic:
        with self._lock:
            if site_id not in self._engines:
                raise UnknownSite(f"no site '{site_id}'")
            return self._site_public(site_id)

    def open_alerts(self) -> list[AlertPublic]:
        return [alert_public(a) for a in self._store.open_alerts()]

    def snapshot_jpeg(self, site_id: str, overlay: bool) -> bytes | None:
        with self._lock:
            if site_id not in self._engines:
                raise UnknownSite(f"no site '{site_id}'")
            frame = self._frames.get(site_id)
            if frame is None:
                return None
            return frame + (b":overlay" if overlay else b":plain")

    def frame_sample(self, site_id: str) -> FrameSample | None:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def count_frame(self, site_id: str, image: np.ndarray, captured_at: float) -> FrameSample:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_thresholds(self, site_id: str, thresholds: ThresholdsConfig, by: str) -> None:
        with self._lock:
            engine = self._engines.get(site_id)
            if engine is None:
                raise UnknownSite(f"no site '{site_id}'")
            old = self._store.current_thresholds().get(site_id)
            engine.set_thresholds(thresholds)
            change = ThresholdChange(site_id, time.time(), changed_by=by, old=old, new=thresholds)
            self._store.record_threshold_change(change)
            payload = ThresholdsPayload(thresholds=thresholds_public(thresholds), changed_by=by)
            self._bus.publish(MessageType.THRESHOLDS, site_id, payload)

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        return self._respond(
            alert_id, lambda a, eid: lifecycle.acknowledge(a, by, note, time.time(), eid)
        )

    def dispatch(self, alert_id: str, platform_id: str, by: str, note: str) -> AlertPayload:
        found = [p for p in PLATFORMS if p.id == platform_id]
        if not found:
            raise UnknownPlatform(f"no response platform '{platform_id}'")
        to = lifecycle.Dispatch(found[0].id, found[0].name, found[0].tier_minutes)
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
        return list(PLATFORMS)

    # -- site setup: see the module docstring --------------------------------------------

    def site_config(self, site_id: str) -> SiteConfig:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def effective_config(self) -> AppConfig:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_region(
        self,
        site_id: str,
        roi: list[Point],
        exclude: list[list[Point]],
        by: str,
        area_m2: float | None = None,
    ) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_calibration(self, site_id: str, calibration: list[GroundPoint], by: str) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def clear_calibration(self, site_id: str, area_m2: float | None, by: str) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_source(self, site_id: str, source: str, start_offset_s: float, by: str) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_image_quality(self, site_id: str, limits: ImageQualityConfig, by: str) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_motion(self, site_id: str, motion: MotionConfig, by: str) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def set_count_scale(self, site_id: str, count_scale: float, by: str) -> SitePublic:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def site_changes(self, site_id: str, limit: int) -> list[SiteChange]:
        raise NotImplementedError(SETUP_NOT_FAKED)

    def view_reference(self, site_id: str) -> ViewReference | None:
        if site_id not in self._engines:
            raise UnknownSite(f"no site '{site_id}'")
        return None  # the fake analyses no frames of its own: no site has a set-up view

    def take_view_reference(self, site_id: str, by: str) -> ViewReference | None:
        return self.view_reference(site_id)

    def _respond(self, alert_id: str, step: Step) -> AlertPayload:
        # As the runtime does: the engine's own alert through the engine, others from the store.
        with self._lock:
            for engine in [*self._engines.values(), *self._turbulence.values()]:
                if engine.alert is not None and engine.alert.id == alert_id:
                    update = engine.act(alert_id, step)
                    break
            else:
                stored = self._store.alert(alert_id)
                if stored is None:
                    raise UnknownAlert(f"no alert '{alert_id}'")
                update = step(stored, new_id())
            self._store.save_alert_update(update)
            payload = alert_payload(update)
            self._bus.publish(MessageType.ALERT, update.alert.site_id, payload)
            return payload

    def _site_public(self, site_id: str) -> SitePublic:
        engine = self._engines[site_id]
        latest = self._latest.get(site_id)
        default: tuple[SiteStatus, float | None, str] = (
            "online" if latest else "starting",
            None,
            "",
        )
        status, since, reason = self._status.get(site_id, default)
        return SitePublic(
            id=site_id,
            name_en=site_id.replace("-", " ").title(),
            name_zh="",
            lat=28.19,
            lon=112.97,
            location_approximate=False,
            analysis_fps=2.0,
            roi=[(0, 0), (640, 0), (640, 480), (0, 480)],
            status=status,
            status_reason=reason,
            status_since=since,
            level=engine.level,
            level_color=COLORS.get(engine.level, "#888888"),
            thresholds=thresholds_public(engine.thresholds),
            latest=reading_payload(latest, self._trends.get(site_id)) if latest else None,
        )
