from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.ingest.frames import CapturedFrame
from monitor.recording.held_frame import HeldFrame


def textured_frame(seed: int) -> CapturedFrame:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, size=(72, 96, 3), dtype=np.uint8)
    # Smooth regions with edges, like a street scene, rather than JPEG's worst case.
    blurred = cv2.GaussianBlur(np.kron(base, np.ones((8, 8, 1), dtype=np.uint8)), (9, 9), 0)
    image = np.asarray(blurred, dtype=np.uint8)
    return CapturedFrame(image=image, seq=seed, captured_at=1000.0 + seed)


def test_held_frame_is_much_smaller_than_the_raw_frame() -> None:
    frame = textured_frame(1)
    held = HeldFrame.hold(frame)
    assert len(held.jpeg) < frame.image.nbytes / 4


@pytest.mark.parametrize("seed", [pytest.param(1, id="frame-1"), pytest.param(7, id="frame-7")])
def test_released_frame_keeps_identity_and_looks_the_same(seed: int) -> None:
    frame = textured_frame(seed)
    released = HeldFrame.hold(frame).release()
    assert (released.seq, released.captured_at) == (frame.seq, frame.captured_at)
    assert released.image.shape == frame.image.shape
    difference = np.abs(released.image.astype(np.int16) - frame.image.astype(np.int16))
    assert float(difference.mean()) < 6.0


def test_corrupt_held_frame_is_reported() -> None:
    held = HeldFrame(b"not a jpeg", seq=3, captured_at=1.0)
    with pytest.raises(ValueError, match="pre-roll frame 3"):
        held.release()
