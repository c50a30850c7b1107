"""One site's analysis loop: newest frame → density → measurement → alert engine → bus.

Runs at the site's analysis rate on whatever frame is newest; frames that arrive in
between are dropped by the source's single slot, so a slow estimator never builds a
backlog. Alert updates are stored before they are published, so an acknowledged alert a
client sees is always one the store knows.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from monitor.alerts.engine import AlertEngine, Step, new_id
from monitor.alerts.lifecycle import acknowledge
from monitor.alerts.model import Alert, AlertUpdate
from monitor.alerts.schedule import active_schedule
from monitor.alerts.trend import Trend, TrendWindow, estimate_trend
from monitor.alerts.turbulence import TURBULENCE_METRIC, turbulence_thresholds, turbulence_value
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import alert_payload, reading_payload, thresholds_public
from monitor.bus.messages import (
    AlertPayload,
    MessageType,
    ReadingPayload,
    SiteStatus,
    SiteStatusPayload,
    ThresholdsPayload,
)
from monitor.config.motion import MotionConfig
from monitor.config.site import SiteConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.density.base import DensityEstimator
from monitor.density.crowd_mask import PeopleGrid
from monitor.ingest.frames import CapturedFrame
from monitor.measure.geometry import SiteGeometry, build_geometry
from monitor.measure.ground import GroundModel
from monitor.measure.measure import measure
from monitor.motion.measure import Motion
from monitor.motion.tracker import MotionTracker
from monitor.pipeline.evaluate import metric_value
from monitor.pipeline.ports import ReadingSink, Source, SourceFactory
from monitor.pipeline.service import FrameSample, UnknownAlert
from monitor.pipeline.view_keeper import ViewKeeper, ViewReferenceStore
from monitor.quality.assess import MIN_SIDE, assess_frame, region_box
from monitor.quality.verdict import QualityIssue, QualityTracker, QualityVerdict
from monitor.render.overlay import draw_heat, encode_jpeg
from monitor.store.base import Store, StoredReading, ThresholdChange
from monitor.store.view_references import ViewReference

log = logging.getLogger(__name__)

NORMAL_COLOR = "#2e9e5b"


@dataclass(frozen=True, slots=True)
class Analysed:
    frame: CapturedFrame
    reading: StoredReading
    trend: Trend | None  # live only: the store keeps no trend
    site: SiteConfig  # as it was for this frame: its region and count_scale
    people: PeopleGrid  # the frame's density map, people per cell


@dataclass(frozen=True, eq=False, slots=True)
class SiteView:
    """A site's config with its ground model: swapped whole, so a frame never mixes them."""

    site: SiteConfig
    ground: GroundModel
    timezone: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "timezone", ZoneInfo(self.site.timezone))


_UNRESOLVED = "\0"  # no schedule resolved yet: differs from every name and from None


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
        views: ViewReferenceStore | None = None,
        turbulence_alert: Alert | None = None,
    ) -> None:
        """`engine` follows the density thresholds; `turbulence_alert` is the site's stored
        turbulence alert not yet resolved, if any, for the crowd-pressure engine to go on with."""
        self._view = SiteView(site, ground)
        self._engine = engine
        self._turbulence_config = site.motion
        self._turbulence = AlertEngine(
            site.id,
            turbulence_thresholds(site.motion),
            open_alert=turbulence_alert,
            escalate_after_s=engine.escalate_after_s,
            metric=TURBULENCE_METRIC,
        )
        # As configured, schedules included; the engine holds the ones in force.
        self._thresholds = engine.thresholds
        self._active_schedule: str | None = _UNRESOLVED
        self._source_factory = source_factory
        self._estimator = estimator
        # The analysis thread and a count check of a recorded frame may both estimate; an
        # estimator need not be safe to run twice at once.
        self._estimate_lock = threading.Lock()
        self._bus = bus
        self._store = store
        self._readings = readings
        self._lock = threading.Lock()  # guards the engine and the latest frame
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._geometry: tuple[SiteView, tuple[int, int], SiteGeometry] | None = None
        self._frame_size: tuple[int, int] = (0, 0)
        self._latest: Analysed | None = None
        # The last analysed frame's capture time and the monotonic clock then: without frames,
        # time on the frames' own clock is estimated from it (see `_tick`).
        self._last_capture: tuple[float, float] | None = None
        self._jpeg_cache: tuple[int, bool, bytes] | None = None
        self._quality: QualityTracker | None = None
        self._picture_issues: tuple[QualityIssue, ...] = ()
        self._view_keeper = ViewKeeper(site.id, views)
        self._trend_window: TrendWindow | None = None
        self._motion = MotionTracker()
        self.status: SiteStatus = "starting"
        self.status_reason = ""
        self.status_since: float | None = None  # when the status last changed, wall clock
        # Capture time of the first frame with the picture's current issues; None: good.
        self.picture_since: float | None = None
        self._source_status: tuple[SiteStatus, str] = ("starting", "")
        self._analysis_error = ""
        self._source_lock = threading.Lock()  # one source replacement at a time
        self._source_generation = 0
        self._source: Source = source_factory(site, self._status_reporter(0))

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._source.start()
        self._thread = threading.Thread(target=self._run, name=f"site-{self.site.id}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        with self._source_lock:
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
    def site(self) -> SiteConfig:
        return self._view.site

    @property
    def ground(self) -> GroundModel:
        return self._view.ground

    @property
    def frame_size(self) -> tuple[int, int] | None:
        """Of the last analysed frame; None before the first."""
        return self._frame_size if self._frame_size != (0, 0) else None

    @property
    def thresholds(self) -> ThresholdsConfig:
        """As configured, schedules included."""
        return self._thresholds

    @property
    def active_schedule(self) -> str | None:
        """The threshold schedule in force; None: the base levels."""
        name = self._active_schedule
        return None if name == _UNRESOLVED else name

    @property
    def dropped_frames(self) -> int:
        return self._source.frames.dropped

    @property
    def latest_payload(self) -> ReadingPayload | None:
        """The latest reading as the websocket sent it, trend included."""
        latest = self._latest
        return reading_payload(latest.reading, latest.trend) if latest else None

    def frame_sample(self) -> FrameSample | None:
        """The latest analysed frame with the model's own count on it, for a count check."""
        latest = self._latest
        if latest is None:
            return None
        site = latest.site
        return FrameSample(
            image=latest.frame.image,
            captured_at=latest.frame.captured_at,
            model_count=latest.reading.count / site.count_scale,
            count_scale=site.count_scale,
            roi=[(float(x), float(y)) for x, y in site.roi],
            exclude=[[(float(x), float(y)) for x, y in area] for area in site.exclude],
        )

    def count_frame(self, image: np.ndarray, captured_at: float) -> FrameSample:
        """What the model counts on `image` (a recorded frame) in the site's region as it is
        now, raw: for a count check of a moment that is no longer live."""
        view = self._view
        site = view.site
        with self._estimate_lock:
            density = self._estimator.estimate(image)
        # Not the analysis thread's cached geometry: that one belongs to its own frames.
        geometry = build_geometry(
            site.roi,
            view.ground,
            density.frame_size,
            density.values.shape,
            site.peak_window_m,
            exclude=site.exclude,
        )
        return FrameSample(
            image=image,
            captured_at=captured_at,
            model_count=measure(density, geometry, 1.0).count,
            count_scale=site.count_scale,
            roi=[(float(x), float(y)) for x, y in site.roi],
            exclude=[[(float(x), float(y)) for x, y in area] for area in site.exclude],
        )

    @property
    def view_reference(self) -> ViewReference | None:
        """The view the site's region and calibration were set up on; None before its first
        good frame."""
        return self._view_keeper.reference

    def take_view_reference(self, by: str) -> ViewReference | None:
        """The latest analysed frame becomes the set-up view; None before the first."""
        latest = self._latest
        if latest is None:
            return None
        frame = latest.frame
        return self._view_keeper.take(frame.image, frame.captured_at, by, people=latest.people)

    def snapshot_jpeg(self, overlay: bool) -> bytes | None:
        latest = self._latest
        if latest is None:
            return None
        cached = self._jpeg_cache
        if cached is not None and cached[0] == latest.frame.seq and cached[1] == overlay:
            return cached[2]
        image = latest.frame.image
        if overlay:
            image = draw_heat(image, latest.reading.grid, self.site.roi, exclude=self.site.exclude)
        jpeg = encode_jpeg(image)
        self._jpeg_cache = (latest.frame.seq, overlay, jpeg)
        return jpeg

    # -- operator actions ----------------------------------------------------------------

    def set_thresholds(self, thresholds: ThresholdsConfig, by: str) -> None:
        with self._lock:
            old = self._thresholds
            self._thresholds = thresholds
            self._active_schedule = _UNRESOLVED
            # At once, on the wall clock; the next frame re-resolves on its capture time.
            self._apply_schedule(time.time())
        self._store.record_threshold_change(
            ThresholdChange(
                site_id=self.site.id, at=time.time(), changed_by=by, old=old, new=thresholds
            )
        )
        payload = ThresholdsPayload(thresholds=thresholds_public(thresholds), changed_by=by)
        self._bus.publish(MessageType.THRESHOLDS, self.site.id, payload)

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        return self.respond(
            alert_id, lambda alert, event_id: acknowledge(alert, by, note, time.time(), event_id)
        )

    def respond(self, alert_id: str, step: Step) -> AlertPayload:
        """An operator step on one of this site's alerts, followed or not by its engine.

        Under the lock, with the save: the engine cannot clear or escalate the alert
        between our reading it and storing the step, and two operators cannot both take
        the same step.
        """
        with self._lock:
            following = next(
                (
                    engine
                    for engine in (self._engine, self._turbulence)
                    if engine.alert is not None and engine.alert.id == alert_id
                ),
                None,
            )
            if following is not None:
                update = following.act(alert_id, step)
            else:
                stored = self._store.alert(alert_id)
                if stored is None or stored.site_id != self.site.id:
                    raise UnknownAlert(f"no alert '{alert_id}'")
                update = step(stored, new_id())
            return self._emit_alert(update)

    def reconfigure(self, site: SiteConfig, ground: GroundModel) -> None:
        """A new region, exclusions, calibration or source, checked by the caller.

        The next frame builds its geometry from them. A new source (or start offset)
        replaces the running one: the new one starts before the old one stops, so the
        site is never left without one.
        """
        old = self._view.site
        self._view = SiteView(site, ground)
        if (site.source, site.start_offset_s) != (old.source, old.start_offset_s):
            self._replace_source(site)

    def _replace_source(self, site: SiteConfig) -> None:
        with self._source_lock:
            if self._stop.is_set():
                return
            self._source_generation += 1
            replacement = self._source_factory(site, self._status_reporter(self._source_generation))
            old, self._source = self._source, replacement
            self._on_source_status("starting", "")
            if self._thread is not None:
                replacement.start()
            old.stop()

    def _status_reporter(self, generation: int) -> Callable[[SiteStatus, str], None]:
        # A replaced source may still report while it winds down; only the current counts.
        def report(status: SiteStatus, reason: str) -> None:
            if generation == self._source_generation:
                self._on_source_status(status, reason)

        return report

    # -- the loop ------------------------------------------------------------------------

    def _run(self) -> None:
        period = 1.0 / self.site.analysis_fps
        last_seq = -1
        reading_from: Source | None = None
        while not self._stop.is_set():
            source = self._source
            if source is not reading_from:  # a new source numbers its frames afresh
                reading_from, last_seq = source, -1
                self._motion.reset()  # nor does its picture move on from the old one's
                self._view_keeper.use_source(self.site.source)  # nor is its view the old one's
            frame = source.frames.take_newer(last_seq, timeout=0.5)
            if frame is None:
                self._tick()
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
        view = self._view
        with self._estimate_lock:
            density = self._estimator.estimate(frame.image)
        quality = self._assess_quality(view, frame, density.values)
        geometry = self._geometry_for(view, density.frame_size, density.values.shape)
        measurement = measure(density, geometry, view.site.count_scale)
        blank = quality is not None and QualityIssue.BLANK in quality.issues
        motion = self._motion.follow(
            view.site.motion,
            frame.image,
            frame.captured_at,
            measurement.people,
            geometry,
            view.ground,
            blank,
            crowd=density.values,
        )
        with self._lock:
            self._apply_schedule(frame.captured_at)
            trend = None
            if blank:
                # A covered lens reads no one: that must neither clear an alert nor hold one
                # back, so the engine treats the frame as no frame (deadlines still run).
                # Nor may it bend the trend.
                overdue = self._engine.tick(frame.captured_at)
                updates = [overdue] if overdue is not None else []
            else:
                value = metric_value(measurement, self._engine.thresholds.metric)
                updates = self._engine.update(frame.captured_at, value)
                trend = self._follow_trend(view, frame.captured_at, value)
            updates += self._follow_turbulence(view.site.motion, frame.captured_at, motion)
            self._last_capture = (frame.captured_at, time.monotonic())
            level = self._engine.level
            # Saved under the lock: see `respond`. Transitions are rare, readings are not.
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
            quality=quality,
            motion=motion,
        )
        self._latest = Analysed(frame, reading, trend, view.site, density.values)
        self._bus.publish(MessageType.READING, self.site.id, reading_payload(reading, trend))
        self._readings.submit(reading)

    def _follow_trend(self, view: SiteView, at: float, value: float) -> Trend | None:
        """Under the lock: the engine's level and levels are the ones in force now."""
        config = view.site.trend
        if not config.enabled:
            self._trend_window = None
            return None
        window = self._trend_window
        if window is None or window.window_s != config.window_s:
            window = self._trend_window = TrendWindow(config.window_s)
        window.add(at, value)
        times, values = window.arrays()
        thresholds = self._engine.thresholds
        return estimate_trend(times, values, thresholds.levels, self._engine.level, config)

    def _assess_quality(
        self, view: SiteView, frame: CapturedFrame, people: PeopleGrid
    ) -> QualityVerdict | None:
        config = view.site.image_quality
        if not config.enabled or min(frame.image.shape[:2]) < MIN_SIDE:
            self.picture_since, self._picture_issues = None, ()
            return None
        tracker = self._quality
        if tracker is None or tracker.config != config:  # new limits: judge afresh
            tracker = self._quality = QualityTracker(config)
        before = self._picture_issues
        verdict = tracker.update(assess_frame(region_box(frame.image, view.site.roi)))
        if QualityIssue.BLANK not in verdict.issues:  # a blank frame shows no view to check
            checked = self._view_keeper.check(frame.captured_at, frame.image, config, people)
            if checked is not None:
                moved = (QualityIssue.VIEW_MOVED,) if checked.moved else ()
                verdict = dataclasses.replace(
                    verdict, issues=verdict.issues + moved, view_shift=checked.shift
                )
        self._picture_issues = verdict.issues
        if verdict.issues != before or (verdict.issues and self.picture_since is None):
            self.picture_since = frame.captured_at if verdict.issues else None
        if verdict.issues != before:
            log.warning(
                "site %s: picture quality %s",
                self.site.id,
                ", ".join(verdict.issues) if verdict.issues else "good again",
            )
        # Rounded here, with the reading's other numbers: the store and the bus copy it as is.
        return dataclasses.replace(verdict, median=verdict.median.rounded())

    def _tick(self) -> None:
        """No frame lately (camera down, stream stalled): alert deadlines run on regardless.

        Time continues the frames' own clock by the monotonic time since the last one, so a
        source with its own timeline (replayed footage, tests) is never mixed with the wall
        clock.
        """
        last = self._last_capture
        if last is None:
            return
        captured_at, monotonic_then = last
        at = captured_at + (time.monotonic() - monotonic_then)
        with self._lock:
            for engine in (self._engine, self._turbulence):
                update = engine.tick(at)
                if update is not None:
                    self._emit_alert(update)

    def _follow_turbulence(
        self, config: MotionConfig, at: float, motion: Motion | None
    ) -> list[AlertUpdate]:
        """The crowd-pressure engine's steps for one frame; call with the lock held."""
        if config != self._turbulence_config:  # new limits from the setup page
            self._turbulence_config = config
            self._turbulence.set_thresholds(turbulence_thresholds(config))
        value = turbulence_value(config, motion)
        if value is None:
            overdue = self._turbulence.tick(at)
            return [overdue] if overdue is not None else []
        return self._turbulence.update(at, value)

    def _apply_schedule(self, at: float) -> None:
        """Puts the thresholds in force at `at` into the engine; call with the lock held.

        Only when the schedule changes: setting thresholds restarts the engine's hold
        timers, which must run on undisturbed within one window.
        """
        schedule = active_schedule(self._thresholds, at, self._view.timezone)
        name = schedule.name if schedule is not None else None
        if name != self._active_schedule:
            self._active_schedule = name
            self._engine.set_thresholds(self._thresholds.resolved(schedule))

    def _geometry_for(
        self, view: SiteView, frame_size: tuple[int, int], shape: tuple[int, ...]
    ) -> SiteGeometry:
        rows, cols = shape
        cached = self._geometry
        if (
            cached is not None
            and cached[0] is view
            and cached[1] == frame_size
            and cached[2].density_shape == (rows, cols)
        ):
            return cached[2]
        site = view.site
        geometry = build_geometry(
            site.roi,
            view.ground,
            frame_size,
            (rows, cols),
            site.peak_window_m,
            exclude=site.exclude,
        )
        self._geometry = (view, frame_size, geometry)
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
        changed = status != self.status
        self.status, self.status_reason = status, reason
        log.info("site %s: %s %s", self.site.id, status, reason)
        payload = SiteStatusPayload(
            status=status, reason=reason, dropped_frames=self.dropped_frames
        )
        published = self._bus.publish(MessageType.SITE_STATUS, self.site.id, payload)
        # The message's own time, which the status log keeps; a new reason for the same
        # status (an outage whose cause changed) does not restart it.
        if changed or self.status_since is None:
            self.status_since = published.ts
