"""One site's recorder: frames in through a bounded queue, segments out on its own thread.

`offer` is called from the capture thread for every captured frame and never blocks: when
the encoder falls behind, frames are dropped and counted, so recording can never slow
capture or analysis. A failing disk (ENOSPC, EIO, a read-only mount) aborts the open
segment, pauses recording with the reason, and retries after `retry_s`; segments already
written are complete files and stay untouched.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from monitor.config.recording import RecordingConfig, RecordingPolicy
from monitor.ingest.frames import CapturedFrame
from monitor.recording.encoder import ClosedSegment, Opener, SegmentWriter, open_file
from monitor.recording.held_frame import HeldFrame
from monitor.recording.index import NewSegment, RecordingIndex
from monitor.recording.policy import (
    ALERT_NOTICE_SLACK_S,
    PreRoll,
    RecordWindow,
    starts_new_segment,
)

log = logging.getLogger(__name__)

RecordingStatus = Literal["off", "standby", "recording", "paused"]
MIN_CUT_S = 1.0
"""A cut closes only a segment holding at least this much video."""


@dataclass(frozen=True, slots=True)
class RecorderState:
    status: RecordingStatus
    reason: str
    dropped_frames: int


StateCallback = Callable[[RecorderState], None]


@dataclass(frozen=True, slots=True)
class _AlertChange:
    active: bool
    at: float


@dataclass(slots=True)
class _Cut:
    """A request to close the open segment now, so that what was captured so far can be
    replayed without waiting for the segment to fill."""

    done: threading.Event = field(default_factory=threading.Event)
    closed_until: float | None = None  # the closed segment's end; None: none was open


def segment_name(site_id: str, start: float) -> str:
    """Relative path of a segment: one folder per site, named by start in epoch ms."""
    return f"{site_id}/{round(start * 1000)}.mp4"


class Recorder:
    def __init__(
        self,
        site_id: str,
        config: RecordingConfig,
        root: Path,
        index: RecordingIndex,
        *,
        on_state: StateCallback | None = None,
        opener: Opener = open_file,
        retry_s: float = 30.0,
        fps_hint: float = 10.0,
    ) -> None:
        self.site_id = site_id
        self.config = config
        self._root = root
        self._index = index
        self._on_state = on_state
        self._opener = opener
        self._retry_s = retry_s
        self._fps_hint = fps_hint
        # Frames, alert changes and cuts in the order they happened; only frames are bounded
        # (and dropped when over), an alert change or a cut is never lost.
        self._inbox: collections.deque[CapturedFrame | _AlertChange | _Cut] = collections.deque()
        self._inbox_ready = threading.Condition()
        self._queued_frames = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._dropped = 0
        self._state_lock = threading.Lock()
        initial: RecordingStatus = "off" if config.policy is RecordingPolicy.OFF else "standby"
        self._state = RecorderState(initial, "", 0)
        # Owned by the encoder thread.
        self._window = RecordWindow(config)
        self._preroll: PreRoll[HeldFrame] = PreRoll(config.pre_s + ALERT_NOTICE_SLACK_S)
        self._writer: SegmentWriter | None = None
        self._last_t: float | None = None
        self._paused_until = 0.0
        self.segments_written = 0

    # -- any thread ----------------------------------------------------------------------

    def offer(self, frame: CapturedFrame) -> None:
        """Hands a captured frame to the encoder; never blocks (drops when it is behind)."""
        if self.config.policy is RecordingPolicy.OFF:
            return
        with self._inbox_ready:
            if self._queued_frames >= self.config.queue_frames:
                self._dropped += 1
                return
            self._queued_frames += 1
            self._inbox.append(frame)
            self._inbox_ready.notify()

    def alert_changed(self, active: bool, at: float) -> None:
        """An alert of this site was raised (active) or its crowd cleared, at capture time `at`."""
        with self._inbox_ready:
            self._inbox.append(_AlertChange(active, at))
            self._inbox_ready.notify()

    def cut(self, timeout: float = 5.0) -> float | None:
        """Closes the open segment once the frames queued before this call are in it, so
        the footage up to now can be replayed; the next frame starts a new segment. Returns
        the closed segment's end, or None when none was open (standby, paused, stopped) or
        the open one holds less than MIN_CUT_S.
        Raises TimeoutError when the encoder does not get to it within `timeout`."""
        if self._thread is None or self._stop.is_set() or not self._thread.is_alive():
            return None
        request = _Cut()
        with self._inbox_ready:
            self._inbox.append(request)
            self._inbox_ready.notify()
        if not request.done.wait(timeout):
            raise TimeoutError(f"{self.site_id}: the recorder did not close its segment")
        return request.closed_until

    @property
    def state(self) -> RecorderState:
        with self._state_lock:
            return RecorderState(self._state.status, self._state.reason, self._dropped)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError(f"{self.site_id}: recorder already started")
        if self.config.policy is RecordingPolicy.OFF:
            return
        self._thread = threading.Thread(
            target=self._run, name=f"record-{self.site_id}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> bool:
        """Closes the open segment (it is kept and indexed); True once the thread ended."""
        self._stop.set()
        with self._inbox_ready:
            self._inbox_ready.notify()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # -- encoder thread ------------------------------------------------------------------

    def _run(self) -> None:
        try:
            # What is already queued at stop belongs to the recording too.
            while (item := self._next()) is not None:
                if isinstance(item, _AlertChange):
                    self._apply_alert_change(item)
                elif isinstance(item, _Cut):
                    self._apply_cut(item)
                else:
                    self._handle(item)
        except Exception:
            log.exception("%s: recorder failed", self.site_id)
            self._set_state("paused", "recorder failed unexpectedly (see log)")
        finally:
            self._close_segment()

    def _next(self) -> CapturedFrame | _AlertChange | _Cut | None:
        """The next item in order, waiting for one; None once stopped and drained."""
        with self._inbox_ready:
            while not self._inbox:
                if self._stop.is_set():
                    return None
                self._inbox_ready.wait(0.5)
            item = self._inbox.popleft()
            if isinstance(item, CapturedFrame):
                self._queued_frames -= 1
            return item

    def _apply_cut(self, cut: _Cut) -> None:
        writer, last = self._writer, self._last_t
        # Many pages asking at once must not leave a trail of one-frame files: a segment
        # younger than MIN_CUT_S stays open (its second is not replayable yet).
        if writer is not None and last is not None and last - writer.start >= MIN_CUT_S:
            closed = self._close_segment()
            cut.closed_until = None if closed is None else closed.end
        cut.done.set()

    def _apply_alert_change(self, change: _AlertChange) -> None:
        if change.active:
            self._window.alert_raised(change.at)
            for t, held in self._preroll.take(self._window):
                self._write(held.release(), t)
        else:
            self._window.alert_cleared(change.at)

    def _handle(self, frame: CapturedFrame) -> None:
        t = frame.captured_at
        if not self._window.wanted(t):
            self._close_segment()
            if self.config.policy is RecordingPolicy.ALERTS:
                self._preroll.push(t, HeldFrame.hold(frame))
            if self._state.status == "recording":
                self._set_state("standby", "")
            return
        self._write(frame, t)

    def _write(self, frame: CapturedFrame, t: float) -> None:
        if time.monotonic() < self._paused_until:
            return
        height, width = frame.image.shape[:2]
        writer = self._writer
        size_changed = writer is not None and (writer.width, writer.height) != (width, height)
        if starts_new_segment(
            writer.start if writer else None, self._last_t, t, self.config.segment_s, size_changed
        ):
            self._close_segment()
            writer = None
            if time.monotonic() < self._paused_until:
                return  # closing it just failed
        try:
            if writer is None:
                path = self._root / segment_name(self.site_id, t)
                writer = SegmentWriter(
                    path, t, width, height, fps_hint=self._fps_hint, opener=self._opener
                )
                self._writer = writer
            writer.write(frame.image, t)
        except OSError as error:
            self._fail(error)
            return
        self._last_t = t
        if self._state.status != "recording":
            self._set_state("recording", "")

    def _close_segment(self) -> ClosedSegment | None:
        """Closes and indexes the open segment; it, or None when none was open or it could
        not be written or indexed."""
        writer, self._writer = self._writer, None
        self._last_t = None
        if writer is None:
            return None
        try:
            closed = writer.close()
        except OSError as error:
            self._fail(error)
            return None
        return closed if self._index_segment(closed) else None

    def _index_segment(self, closed: ClosedSegment) -> bool:
        try:
            self._index.add_segment(
                NewSegment(
                    site_id=self.site_id,
                    start=closed.start,
                    end=closed.end,
                    path=closed.path.relative_to(self._root).as_posix(),
                    size=closed.size,
                    frames=closed.frames,
                    width=closed.width,
                    height=closed.height,
                )
            )
        except Exception:
            # The file is whole; only the index row is missing. Keep the file for a person.
            log.exception("%s: cannot index segment %s", self.site_id, closed.path)
            return False
        self.segments_written += 1
        return True

    def _fail(self, error: OSError) -> None:
        writer, self._writer = self._writer, None
        self._last_t = None
        if writer is not None:
            writer.abort()
        self._paused_until = time.monotonic() + self._retry_s
        reason = f"write failed: {error.strerror or error}; retrying in {self._retry_s:g} s"
        log.warning("%s: recording paused: %s", self.site_id, reason)
        self._set_state("paused", reason)

    def _set_state(self, status: RecordingStatus, reason: str) -> None:
        with self._state_lock:
            if (status, reason) == (self._state.status, self._state.reason):
                return
            self._state = RecorderState(status, reason, self._dropped)
        if self._on_state is not None:
            try:
                self._on_state(self.state)
            except Exception:
                log.exception("%s: recording state callback failed", self.site_id)
