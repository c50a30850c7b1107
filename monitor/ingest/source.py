"""One capture thread per site: reads frames, keeps the newest, reports and survives failures.

Blocking limits: OpenCV's `read()` cannot be interrupted from another thread. For stream
URLs the FFmpeg backend is opened with `CAP_PROP_OPEN_TIMEOUT_MSEC` and
`CAP_PROP_READ_TIMEOUT_MSEC`, so a dead RTSP/HTTP camera returns from `open`/`read` within
those timeouts. Other backends (V4L2, GStreamer, MSMF) ignore them and use their own
(V4L2 gives up after about 10 s); until they return, `stop()` can only time out, which is
why the capture thread is a daemon and never holds up process exit.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, Literal, cast

import cv2
import numpy as np
import numpy.typing as npt

from monitor.config.site import SiteConfig
from monitor.ingest.backoff import Backoff
from monitor.ingest.frames import BgrImage, CapturedFrame, LatestFrame
from monitor.ingest.locator import SampleResolver, SourceTarget, resolve_source
from monitor.ingest.pacing import Pacer
from monitor.ingest.redact import redact_source, redact_text

logger = logging.getLogger(__name__)

SourceStatus = Literal["starting", "online", "offline"]
StatusCallback = Callable[[SourceStatus, str], None]
FrameCallback = Callable[[CapturedFrame], None]

FALLBACK_FPS = 10.0
"""Used when a file reports no usable frame rate (raw streams, broken headers)."""
_MAX_FILE_FPS = 240.0
"""Above this a reported rate is a container timebase (e.g. 90000), not a frame rate."""
_FILE_CHECK_INTERVAL_S = 1.0
"""How often a playing file is checked on disk: an unlinked file stays readable through
its open handle on POSIX, so only looking at the path reveals that it is gone."""
_FAILED_READ_PAUSE_S = 0.05
"""Some backends fail a read instantly; pausing keeps a broken stream from spinning a core."""


class _SessionError(Exception):
    """A capture session failed; `reason` is for people and already redacted."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FrameSource:
    """Captures one source on its own thread into `frames`, reconnecting for ever.

    File sources play at their native rate from `start_offset_s` and loop; live sources
    (devices, URLs) are read as fast as they deliver. `on_status` is called from the
    capture thread whenever the (status, reason) pair changes, so a source that keeps
    failing the same way does not repeat itself; it must not block. `on_frame` sees every
    captured frame (the recorder), also from the capture thread, and must not block either.
    """

    def __init__(
        self,
        source: str,
        *,
        name: str | None = None,
        start_offset_s: float = 0.0,
        on_status: StatusCallback | None = None,
        on_frame: FrameCallback | None = None,
        samples: SampleResolver | None = None,
        backoff: Backoff | None = None,
        stall_timeout_s: float = 5.0,
        open_timeout_s: float = 10.0,
    ) -> None:
        if start_offset_s < 0:
            raise ValueError(f"start_offset_s must be >= 0, got {start_offset_s}")
        if stall_timeout_s <= 0 or open_timeout_s <= 0:
            raise ValueError("timeouts must be positive")
        self._source = source
        self._display = redact_source(source)
        self.name = name or self._display
        self._start_offset_s = start_offset_s
        self._on_status = on_status
        self._on_frame = on_frame
        self._samples = samples
        self._backoff = backoff or Backoff()
        self._stall_timeout_s = stall_timeout_s
        self._open_timeout_s = open_timeout_s

        self.frames = LatestFrame()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._status_lock = threading.Lock()
        self._status: SourceStatus = "starting"
        self._status_reason = "not started"
        # Owned by the capture thread alone.
        self._seq = 0
        self._session_online = False

    @classmethod
    def for_site(
        cls,
        site: SiteConfig,
        *,
        on_status: StatusCallback | None = None,
        on_frame: FrameCallback | None = None,
        samples: SampleResolver | None = None,
        backoff: Backoff | None = None,
    ) -> FrameSource:
        return cls(
            site.source,
            name=site.id,
            start_offset_s=site.start_offset_s,
            on_status=on_status,
            on_frame=on_frame,
            samples=samples,
            backoff=backoff,
        )

    @property
    def source(self) -> str:
        """The source string with credentials masked, safe to show."""
        return self._display

    @property
    def status(self) -> SourceStatus:
        with self._status_lock:
            return self._status

    @property
    def status_reason(self) -> str:
        with self._status_lock:
            return self._status_reason

    @property
    def dropped_frames(self) -> int:
        """Frames replaced before analysis took them (analysis slower than capture)."""
        return self.frames.dropped

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Starts capturing; a FrameSource runs once (make a new one to restart)."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name}: already started")
        # Daemon: a read stuck in a driver must not keep the process alive at exit.
        self._thread = threading.Thread(target=self._run, name=f"capture-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Asks the thread to stop and waits up to `timeout` s; True once it has ended.

        False only when a backend read (see module doc) or a first-time sample download is
        still running after `timeout`; the thread then ends by itself when that returns.
        """
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def __enter__(self) -> FrameSource:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- capture thread ---------------------------------------------------------------

    def _run(self) -> None:
        self._set_status("starting", f"opening {self._display}")
        delays = self._backoff.delays()
        while not self._stop.is_set():
            self._session_online = False
            try:
                self._run_session()
                continue  # returns only when stopping
            except _SessionError as ended:
                reason = ended.reason
            except Exception as error:  # a bug or an OpenCV surprise must not kill the site
                reason = f"unexpected error: {_one_line(redact_text(str(error), self._source))}"
                details = "".join(traceback.format_exception(error))
                logger.error("%s: %s", self.name, redact_text(details, self._source))
            if self._stop.is_set():
                break
            if self._session_online:
                delays = self._backoff.delays()  # it worked for a while: retry quickly
            self._set_status("offline", reason)
            if self._stop.wait(next(delays)):
                break

    def _run_session(self) -> None:
        try:
            target = resolve_source(self._source, self._samples)
        except Exception as error:
            why = _one_line(redact_text(str(error), self._source))
            raise _SessionError(f"cannot resolve {self._display}: {why}") from error
        if target.live:
            self._stream(target)
        else:
            self._play_file(target)

    def _stream(self, target: SourceTarget) -> None:
        capture = self._open(target)
        try:
            online_reason = f"receiving {target.display}"
            last_frame_at = time.monotonic()
            while not self._stop.is_set():
                ok, image = capture.read()
                if ok and image is not None and image.size:
                    self._publish(image, online_reason)
                    last_frame_at = time.monotonic()
                    continue
                if time.monotonic() - last_frame_at >= self._stall_timeout_s:
                    raise _SessionError(f"no frame for {self._stall_timeout_s:.1f} s")
                self._stop.wait(_FAILED_READ_PAUSE_S)
        finally:
            capture.release()

    def _play_file(self, target: SourceTarget) -> None:
        """Plays passes over the file until stopped; each pass reopens it, which rewinds
        reliably for every container and picks up a file replaced on disk."""
        path = str(target.target)
        pacer: Pacer | None = None
        offset_s = self._start_offset_s
        missing = "file not found"
        while not self._stop.is_set():
            opened = _stat_file(path, missing)
            missing = "file vanished"
            capture = self._open(target)
            try:
                fps = _native_fps(capture)
                if pacer is None:
                    pacer = Pacer(1.0 / fps)
                pacer.period_s = 1.0 / fps
                if offset_s > 0:
                    _seek(capture, offset_s, fps)
                    offset_s = 0.0
                online_reason = f"playing {path} at {fps:g} fps"
                played = self._play_pass(capture, path, opened, pacer, online_reason)
            finally:
                capture.release()
            if played == 0 and not self._stop.is_set():
                raise _SessionError(f"no frame could be read from {path}")

    def _play_pass(
        self,
        capture: cv2.VideoCapture,
        path: str,
        opened: os.stat_result,
        pacer: Pacer,
        online_reason: str,
    ) -> int:
        """Plays to the end of the file (or until it changes); returns frames played."""
        played = 0
        next_check = time.monotonic() + _FILE_CHECK_INTERVAL_S
        while not pacer.wait(self._stop):
            ok, image = capture.read()
            now = time.monotonic()
            if not ok or now >= next_check:
                next_check = now + _FILE_CHECK_INTERVAL_S
                if _file_replaced(path, opened):
                    return played
            if not ok or image is None or not image.size:
                return played  # end of file
            self._publish(image, online_reason)
            pacer.tick()
            played += 1
        return played

    def _open(self, target: SourceTarget) -> cv2.VideoCapture:
        capture = _open_capture(target, self._open_timeout_s, self._stall_timeout_s)
        if not capture.isOpened():
            capture.release()
            raise _SessionError(f"cannot open {target.display}: {_open_failure_hint(target)}")
        return capture

    def _publish(self, image: npt.NDArray[Any], online_reason: str) -> None:
        self._seq += 1
        frame = CapturedFrame(_as_bgr(image), self._seq, time.time())
        self.frames.put(frame)
        if self._on_frame is not None:
            try:
                self._on_frame(frame)
            except Exception:  # the listener's bug must not stop capture
                logger.exception("%s: frame listener failed", self.name)
        if not self._session_online:
            self._session_online = True
            self._set_status("online", online_reason)

    def _set_status(self, status: SourceStatus, reason: str) -> None:
        with self._status_lock:
            if (status, reason) == (self._status, self._status_reason):
                return
            self._status, self._status_reason = status, reason
        level = logging.WARNING if status == "offline" else logging.INFO
        logger.log(level, "%s: %s (%s)", self.name, status, reason)
        if self._on_status is not None:
            try:
                self._on_status(status, reason)
            except Exception:  # the listener's bug must not stop capture
                logger.exception("%s: status callback failed", self.name)


def _open_capture(
    target: SourceTarget, open_timeout_s: float, read_timeout_s: float
) -> cv2.VideoCapture:
    if target.kind == "stream" and cv2.videoio_registry.hasBackend(cv2.CAP_FFMPEG):
        # Without these FFmpeg waits up to 30 s (or for ever on some RTSP servers).
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            round(open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            round(read_timeout_s * 1000),
        ]
        return cv2.VideoCapture(target.target, cv2.CAP_FFMPEG, params)
    return cv2.VideoCapture(target.target)


def _open_failure_hint(target: SourceTarget) -> str:
    # OpenCV reports no cause, so say what usually is.
    if target.kind == "stream":
        return "no usable stream (unreachable, refused, wrong path or credentials, or timed out)"
    if target.kind == "device":
        return "no such camera, or it is in use"
    return "not a readable video"


def _stat_file(path: str, missing: str) -> os.stat_result:
    try:
        return os.stat(path)
    except FileNotFoundError:
        raise _SessionError(f"{missing}: {path}") from None
    except OSError as error:
        raise _SessionError(f"cannot read {path}: {error.strerror}") from None


def _file_replaced(path: str, opened: os.stat_result) -> bool:
    """True when another file now sits at `path`; raises when it is gone or cut short."""
    now = _stat_file(path, "file vanished")
    if (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
        return True
    if now.st_size < opened.st_size:
        raise _SessionError(f"file truncated: {path}")
    return False


def _native_fps(capture: cv2.VideoCapture) -> float:
    fps = float(capture.get(cv2.CAP_PROP_FPS))
    return fps if 0 < fps <= _MAX_FILE_FPS else FALLBACK_FPS


def _seek(capture: cv2.VideoCapture, offset_s: float, fps: float) -> None:
    index = round(offset_s * fps)
    total = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    if total > 0:
        index %= total  # an offset past the end wraps, as looping playback would
    if index and not capture.set(cv2.CAP_PROP_POS_FRAMES, index):
        logger.warning("cannot seek to frame %d; playing from the start", index)


def _as_bgr(image: npt.NDArray[Any]) -> BgrImage:
    """Frames as (H, W, 3) uint8 whatever the camera delivers (grey, BGRA)."""
    if image.dtype != np.uint8:
        raise _SessionError(f"unsupported frame type {image.dtype} (need 8-bit)")
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 3:
        return cast(BgrImage, image)
    raise _SessionError(f"unsupported frame shape {image.shape}")


def _one_line(text: str) -> str:
    """Status reasons are shown on one line; multi-line errors become "head: a; b"."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "no details"
    head, *rest = lines
    return f"{head} {'; '.join(rest)}" if rest else head
