"""Small generated videos whose frames say which frame they are."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from monitor.ingest.frames import BgrImage

WIDTH, HEIGHT = 64, 48
_LEVEL_STEP = 10  # grey level per frame index: survives MJPG's loss on flat frames


def write_video(path: Path, frames: int = 20, fps: float = 10.0) -> Path:
    """An MJPG .avi whose frame i is uniformly grey at level 10 * i (frames <= 25)."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (WIDTH, HEIGHT))
    assert writer.isOpened(), "OpenCV cannot write MJPG"
    try:
        for index in range(frames):
            writer.write(np.full((HEIGHT, WIDTH, 3), index * _LEVEL_STEP, dtype=np.uint8))
    finally:
        writer.release()
    return path


def frame_index(image: BgrImage) -> int:
    return round(float(image.mean()) / _LEVEL_STEP)


@pytest.fixture
def video(tmp_path: Path) -> Path:
    """20 frames at 10 fps: two seconds that loop."""
    return write_video(tmp_path / "clip.avi")


class StatusRecorder:
    """An `on_status` callback that tests can wait on without sleeping."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.events: list[tuple[str, str]] = []

    def __call__(self, status: str, reason: str) -> None:
        with self._changed:
            self.events.append((status, reason))
            self._changed.notify_all()

    def wait_for(self, status: str, timeout: float = 10.0, after: int = 0) -> tuple[int, str]:
        """Index and reason of the first `status` event at or after index `after`."""

        def found() -> int | None:
            return next(
                (i for i, (s, _) in enumerate(self.events) if i >= after and s == status), None
            )

        with self._changed:
            if not self._changed.wait_for(lambda: found() is not None, timeout):
                pytest.fail(f"no {status!r} within {timeout} s; events: {self.events}")
            index = found()
            assert index is not None
            return index, self.events[index][1]


@pytest.fixture
def recorder() -> StatusRecorder:
    return StatusRecorder()
