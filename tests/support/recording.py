"""Clips whose every frame can be told apart, and a tap that keeps what was captured.

Each frame carries a grey marker (below the blob counter's threshold, so it counts no one)
whose position encodes the frame's index: a decoded recording can then be matched to the
exact source frame it came from.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from monitor.ingest.frames import CapturedFrame
from tests.support.blobs import FRAME_SIZE, scene

MARKER_GREY = 100


def marked_scene(people: int, index: int) -> np.ndarray:
    image = scene(people)
    width, height = FRAME_SIZE
    x = (index * 7) % (width - 12)
    y = height - 14 - 4 * ((index * 7) // (width - 12) % 3)
    cv2.rectangle(image, (x, y), (x + 10, y + 3), (MARKER_GREY,) * 3, thickness=-1)
    return image


def write_marked_clip(path: Path, people_per_frame: list[int], fps: float = 10.0) -> Path:
    # Lossless-enough source: MJPG at top quality keeps the marker crisp.
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, FRAME_SIZE)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}")
    writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 100)
    try:
        for index, people in enumerate(people_per_frame):
            writer.write(marked_scene(people, index))
    finally:
        writer.release()
    return path


class FrameLog:
    """Wraps a frame listener, keeping every frame it sees (for comparing with replay)."""

    def __init__(self, forward: Callable[[CapturedFrame], None]) -> None:
        self._forward = forward
        self._lock = threading.Lock()
        self.frames: list[CapturedFrame] = []

    def __call__(self, frame: CapturedFrame) -> None:
        with self._lock:
            self.frames.append(frame)
        self._forward(frame)

    def snapshot(self) -> list[CapturedFrame]:
        with self._lock:
            return list(self.frames)


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))
