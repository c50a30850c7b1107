"""One segment file: H.264 in MP4 through PyAV's bundled FFmpeg (libx264).

Browsers play and seek H.264/MP4 natively. Each frame's presentation time is its capture
time relative to the segment's first frame, in milliseconds, so `video.currentTime` in
the page and a decoded frame's time both map straight back to wall-clock time. The file
is written under a temporary name and renamed only when complete (faststart: the index
moves to the front on close), so a crash never leaves a half-written file under a real
name.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, TypeVar

import av
import numpy as np
import numpy.typing as npt

_T = TypeVar("_T")

MS = Fraction(1, 1000)
PART_SUFFIX = ".part"

Opener = Callable[[Path], IO[bytes]]
"""Opens the temporary file for writing and reading back; a seam for failing disks."""


def open_file(path: Path) -> IO[bytes]:
    return open(path, "w+b")


class _CheckedFile:
    """The file as PyAV sees it. PyAV drops exceptions raised by a Python file's methods
    and FFmpeg may carry on, so a full disk would only show at close; this keeps the first
    error for the writer to raise at once."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.error: OSError | None = None
        # FFmpeg reopens the file by this name to move the index to the front (faststart).
        self.name = file.name

    def write(self, data: bytes) -> int:
        return self._checked(lambda: self.file.write(data))

    def read(self, size: int = -1) -> bytes:
        return self._checked(lambda: self.file.read(size))

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._checked(lambda: self.file.seek(offset, whence))

    def tell(self) -> int:
        return self.file.tell()

    def flush(self) -> None:
        self._checked(self.file.flush)

    def _checked(self, call: Callable[[], _T]) -> _T:
        try:
            return call()
        except OSError as error:
            if self.error is None:
                self.error = error
            raise

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


@dataclass(frozen=True, slots=True)
class ClosedSegment:
    path: Path
    start: float
    end: float
    size: int
    frames: int
    width: int
    height: int


class SegmentWriter:
    """Not thread-safe: owned by one recorder's encoder thread."""

    def __init__(
        self,
        path: Path,
        start: float,
        width: int,
        height: int,
        *,
        fps_hint: float = 10.0,
        opener: Opener = open_file,
        preset: str = "veryfast",
    ) -> None:
        self.path = path
        self.start = start
        self.width, self.height = width, height
        self._part = path.with_name(path.name + PART_SUFFIX)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = opener(self._part)
        self._io = _CheckedFile(self._file)
        try:
            self._container = av.open(
                self._io, "w", format="mp4", options={"movflags": "+faststart"}
            )
            stream = self._container.add_stream("libx264", rate=round(fps_hint) or 10)
            # x264 needs even sizes in 4:2:0; odd camera sizes lose one pixel row/column.
            stream.width, stream.height = width - width % 2, height - height % 2
            stream.pix_fmt = "yuv420p"
            stream.time_base = MS
            stream.codec_context.time_base = MS
            # A keyframe every second keeps seeking in the browser and here quick.
            keyint = str(max(1, round(fps_hint)))
            # zerolatency: no lookahead or B-frames, so x264 holds a few frames, not dozens,
            # per site; one thread per encoder, since sites already encode in parallel.
            stream.options = {"preset": preset, "tune": "zerolatency", "g": keyint, "crf": "26"}
            stream.codec_context.thread_count = 1
            self._stream = stream
        except BaseException:
            self._discard()
            raise
        self.frames = 0
        self.end = start
        self._last_pts = -1

    def write(self, image: npt.NDArray[np.uint8], captured_at: float) -> None:
        """Raises OSError when the disk fails (ENOSPC and the like)."""
        if image.shape[:2] != (self.height, self.width):
            raise ValueError(f"frame size {image.shape[1]}x{image.shape[0]} changed mid-segment")
        # Capture times can tie or step back by a clock adjustment; pts must rise.
        pts = max(round((captured_at - self.start) * 1000), self._last_pts + 1)
        crop = image[: self._stream.height, : self._stream.width]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(crop), format="bgr24")
        frame.pts = pts
        frame.time_base = MS
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self._io.raise_error()
        self._last_pts = pts
        self.frames += 1
        self.end = self.start + pts / 1000

    def close(self) -> ClosedSegment:
        """Finishes the file and renames it into place; raises OSError on a failing disk
        (the partial file is then removed)."""
        try:
            for packet in self._stream.encode():
                self._container.mux(packet)
            self._container.close()
            self._io.raise_error()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self._part, self.path)
        except BaseException:
            self._discard()
            raise
        return ClosedSegment(
            path=self.path,
            start=self.start,
            end=self.end,
            size=self.path.stat().st_size,
            frames=self.frames,
            width=self._stream.width,
            height=self._stream.height,
        )

    def abort(self) -> None:
        """Drops the unfinished segment; never raises."""
        self._discard()

    def _discard(self) -> None:
        container = getattr(self, "_container", None)
        if container is not None:
            with contextlib.suppress(Exception):
                container.close()
        with contextlib.suppress(Exception):
            self._file.close()
        with contextlib.suppress(OSError):
            self._part.unlink(missing_ok=True)
