"""Recording for every site: recorders fed by the capture threads, alerts from the bus,
and the retention sweeper. Started and stopped by the application."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.alerts.model import AlertEventKind
from monitor.bus.bus import InMemoryBus, ThreadSubscription
from monitor.bus.messages import (
    AlertPayload,
    MessageType,
    RecordingPayload,
    RecordingStatusPublic,
)
from monitor.config.app import AppConfig
from monitor.ingest.frames import CapturedFrame
from monitor.recording.encoder import PART_SUFFIX, Opener, open_file
from monitor.recording.index import RecordingIndex, Segment
from monitor.recording.recorder import Recorder, RecorderState
from monitor.recording.replay import DecodedFrame, frame_at
from monitor.recording.retention import AlertSpan, plan_deletions
from monitor.store import schema as store_schema

log = logging.getLogger(__name__)

RECORDINGS_DIR = "recordings"

FrameCallback = Callable[[CapturedFrame], None]


class FrameTaps:
    """Where capture threads hand every frame; the recorders attach to it when they start.

    Exists before the sources do (they are made by the runtime), so the source factory can
    wire each source to its site's tap without knowing about recording.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: dict[str, FrameCallback] = {}

    def attach(self, site_id: str, listener: FrameCallback) -> None:
        with self._lock:
            self._listeners[site_id] = listener

    def detach(self, site_id: str) -> None:
        with self._lock:
            self._listeners.pop(site_id, None)

    def listener(self, site_id: str) -> FrameCallback:
        def tap(frame: CapturedFrame) -> None:
            with self._lock:
                target = self._listeners.get(site_id)
            if target is not None:
                target(frame)

        return tap


class RecordingService:
    def __init__(
        self,
        config: AppConfig,
        data_dir: Path,
        engine: Engine,
        bus: InMemoryBus,
        taps: FrameTaps,
        *,
        opener: Opener = open_file,
        retry_s: float = 30.0,
    ) -> None:
        self.config = config
        self.root = data_dir / RECORDINGS_DIR
        self.index = RecordingIndex(engine)
        self._engine = engine
        self._bus = bus
        self._taps = taps
        self.recorders = {
            site.id: Recorder(
                site.id,
                site.recording,
                self.root,
                self.index,
                on_state=self._state_publisher(site.id),
                opener=opener,
                retry_s=retry_s,
            )
            for site in config.sites
        }
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._subscription: ThreadSubscription | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, open_alert_sites: dict[str, float] | None = None) -> None:
        """`open_alert_sites`: site → raised_at of alerts still open from before a restart."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._remove_unfinished()
        self._subscription = self._bus.subscribe(
            maxsize=10_000, types=frozenset({MessageType.ALERT})
        )
        for site_id, raised_at in (open_alert_sites or {}).items():
            if site_id in self.recorders:
                self.recorders[site_id].alert_changed(True, raised_at)
        for site_id, recorder in self.recorders.items():
            recorder.start()
            self._taps.attach(site_id, recorder.offer)
        for name, target in (
            ("recording-alerts", self._follow_alerts),
            ("retention", self._sweep_loop),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        for site_id, recorder in self.recorders.items():
            self._taps.detach(site_id)
            recorder.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        if self._subscription is not None:
            self._bus.unsubscribe(self._subscription)

    def _remove_unfinished(self) -> None:
        # A segment still being written when the process died was never indexed, and
        # without its index at the end it cannot be played: only the disk space is left.
        for part in self.root.glob(f"*/*{PART_SUFFIX}"):
            try:
                part.unlink()
                log.warning("removed unfinished segment %s", part)
            except OSError as error:
                log.warning("cannot remove unfinished segment %s: %s", part, error)

    # -- state ---------------------------------------------------------------------------

    def status(self, site_id: str) -> RecordingStatusPublic | None:
        recorder = self.recorders.get(site_id)
        if recorder is None:
            return None
        return _public(recorder.state)

    def cut(self, site_id: str, timeout: float = 5.0) -> float | None:
        """Closes `site_id`'s open segment so the footage up to now can be replayed (see
        Recorder.cut). Raises KeyError for a site without a recorder, TimeoutError."""
        return self.recorders[site_id].cut(timeout)

    def frame_near(self, site_id: str, at: float, tolerance_s: float) -> DecodedFrame | None:
        """The recorded frame of `site_id` nearest `at`; None when nothing was recorded
        within `tolerance_s` of it. Raises SegmentUnreadable for a damaged segment."""
        segment = self.index.segment_at(site_id, at)
        if segment is None or not (segment.start - tolerance_s <= at <= segment.end + tolerance_s):
            return None
        return frame_at(segment, self.path_of(segment), at)

    def path_of(self, segment: Segment) -> Path:
        return self.root / segment.path

    # -- retention -----------------------------------------------------------------------

    def sweep(self, now: float | None = None) -> list[Segment]:
        """Applies retention once; returns the segments deleted."""
        at = time.time() if now is None else now
        doomed = plan_deletions(
            self.index.segments(None, None, None, limit=1_000_000),
            self.index.pins(),
            self._alert_spans(),
            self.config.retention,
            at,
        )
        for segment in doomed:
            # Index first: a file without a row is only wasted space, a row without a
            # file would be offered for replay.
            self.index.delete_segment(segment.id)
            try:
                self.path_of(segment).unlink(missing_ok=True)
            except OSError as error:
                log.warning("retention: cannot delete %s: %s", segment.path, error)
        if doomed:
            log.info("retention deleted %d segment(s)", len(doomed))
        return doomed

    def _alert_spans(self) -> list[AlertSpan]:
        t = store_schema.alerts
        with self._engine.connect() as conn:
            query = sa.select(t.c.site_id, t.c.raised_at, t.c.cleared_at, t.c.resolved_at)
            rows = conn.execute(query).all()
        # The footage of an alert is that of its crowd: it ends when the crowd cleared.
        return [
            AlertSpan(site_id, raised, cleared if cleared is not None else resolved)
            for site_id, raised, cleared, resolved in rows
        ]

    def _sweep_loop(self) -> None:
        while not self._stop.wait(self.config.retention.sweep_interval_s):
            try:
                self.sweep()
            except Exception:
                log.exception("retention sweep failed")

    # -- alerts --------------------------------------------------------------------------

    def _follow_alerts(self) -> None:
        subscription = self._subscription
        assert subscription is not None
        while not self._stop.is_set():
            item = subscription.get(timeout=0.2)
            if item is None or not isinstance(item.payload, AlertPayload):
                continue
            event = item.payload.event
            recorder = self.recorders.get(event.site_id)
            if recorder is None:
                continue
            if event.kind == AlertEventKind.RAISED.value:
                recorder.alert_changed(True, event.at)
            elif event.kind in (AlertEventKind.CLEARED.value, AlertEventKind.RESOLVED.value):
                # The crowd is back to normal (operators resolve the alert later).
                recorder.alert_changed(False, event.at)

    def _state_publisher(self, site_id: str) -> Callable[[RecorderState], None]:
        def publish(state: RecorderState) -> None:
            self._bus.publish(
                MessageType.RECORDING, site_id, RecordingPayload(recording=_public(state))
            )

        return publish


def _public(state: RecorderState) -> RecordingStatusPublic:
    return RecordingStatusPublic(
        status=state.status, reason=state.reason, dropped_frames=state.dropped_frames
    )
