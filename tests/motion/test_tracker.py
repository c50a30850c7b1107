from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.config.motion import MotionConfig
from monitor.measure.geometry import build_geometry
from monitor.measure.ground import uniform_scale
from monitor.motion.measure import Motion
from monitor.motion.tracker import MotionTracker

FRAME = (320, 240)
ROI = [(0.0, 0.0), (320.0, 0.0), (320.0, 240.0), (0.0, 240.0)]
GROUND = uniform_scale(320 * 240 * 0.05**2, ROI)  # 0.05 m a pixel
GEOMETRY = build_geometry(ROI, GROUND, FRAME, (30, 40), peak_window_m=3.0)
PEOPLE = np.full((30, 40), 4.0 * 0.4**2)  # 4/m² over 0.4 m cells


def street(shift: int) -> np.ndarray:
    grain = np.random.default_rng(2).integers(0, 256, (240, 360, 3), dtype=np.uint8)
    texture = np.asarray(cv2.GaussianBlur(grain, (0, 0), 1.5), dtype=np.uint8)
    return np.ascontiguousarray(texture[:, 20 - shift : 340 - shift])


def follow(
    tracker: MotionTracker, config: MotionConfig, at: float, shift: int, blank: bool = False
) -> Motion | None:
    return tracker.follow(config, street(shift), at, PEOPLE, GEOMETRY, GROUND, blank)


def test_frames_that_follow_give_the_crowds_speed() -> None:
    tracker, config = MotionTracker(), MotionConfig()
    assert follow(tracker, config, 10.0, 0) is None  # nothing to follow yet
    motion = follow(tracker, config, 10.5, 6)  # 6 px in 0.5 s at 0.05 m: 0.6 m/s
    assert motion is not None
    assert motion.speed_m_s == pytest.approx(0.6, abs=0.05)
    assert not motion.turbulent


@pytest.mark.parametrize(
    ("at", "blank", "config"),
    [
        pytest.param(10.0, False, MotionConfig(enabled=False), id="off"),
        pytest.param(7.0, False, MotionConfig(), id="after-a-gap"),
        pytest.param(10.0, True, MotionConfig(), id="after-a-covered-lens"),
    ],
)
def test_nothing_to_follow(at: float, blank: bool, config: MotionConfig) -> None:
    tracker = MotionTracker()
    follow(tracker, config, at, 0, blank)
    assert follow(tracker, config, 10.5, 6) is None
    # The next frame follows that one again (motion on).
    if config.enabled:
        assert follow(tracker, config, 11.0, 12) is not None


def test_a_new_source_starts_afresh() -> None:
    tracker, config = MotionTracker(), MotionConfig()
    follow(tracker, config, 10.0, 0)
    tracker.reset()
    assert follow(tracker, config, 10.5, 6) is None
