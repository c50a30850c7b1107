"""Short synthetic clips written to disk, for tests that run the real frame source."""

from __future__ import annotations

from pathlib import Path

import cv2

from tests.support.blobs import FRAME_SIZE, scene


def write_clip(path: Path, people_per_frame: list[int], fps: float = 10.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, FRAME_SIZE)
    if not writer.isOpened():
        raise RuntimeError(f"cannot write {path}")
    try:
        for people in people_per_frame:
            writer.write(scene(people))
    finally:
        writer.release()
    return path
