"""Hand-off of captured frames from a capture thread to the analysis that reads them.

Analysis is slower than capture on purpose (``analysis_fps`` is a few per second), so
the hand-off keeps only the newest frame: a stale crowd picture is worse than a skipped
one, and a queue would grow without bound whenever analysis falls behind.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BgrImage = npt.NDArray[np.uint8]
"""OpenCV's native layout: (height, width, 3), channels blue, green, red."""


@dataclass(frozen=True, slots=True, eq=False)
class CapturedFrame:
    image: BgrImage
    seq: int
    """Increases by one per frame read, across reconnects, for one FrameSource."""
    captured_at: float
    """Epoch seconds when the frame was read; for file sources, when it was played."""


class LatestFrame:
    """A single slot holding the newest frame; `put` never blocks, `take_newer` waits."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._frame: CapturedFrame | None = None
        self._taken = True
        self._dropped = 0

    def put(self, frame: CapturedFrame) -> None:
        """Replaces the held frame; one that nobody took counts as dropped."""
        with self._changed:
            if not self._taken:
                self._dropped += 1
            self._frame = frame
            self._taken = False
            self._changed.notify_all()

    def take_newer(self, after_seq: int, timeout: float) -> CapturedFrame | None:
        """The newest frame with ``seq > after_seq``, waiting up to `timeout` seconds for
        one; None on timeout. Pass -1 (or 0: seqs start at 1) to take whatever is there."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._newer_than(after_seq), timeout):
                return None
            self._taken = True
            return self._frame

    def peek(self) -> CapturedFrame | None:
        """The held frame without taking it (snapshots, status pages); not counted."""
        with self._changed:
            return self._frame

    @property
    def dropped(self) -> int:
        """Frames overwritten before anyone took them: analysis was behind capture."""
        with self._changed:
            return self._dropped

    def _newer_than(self, after_seq: int) -> bool:
        return self._frame is not None and self._frame.seq > after_seq
