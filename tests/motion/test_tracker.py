from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.config.motion import MotionConfig
from monitor.measure.geometry import build_geometry
from monitor.measure.ground import uniform_scale
from monitor.motion.measure import Motion
from monitor.motion.tracker import MotionTracker
from tests.motion.camera_scene import HEIGHT as SWAY_HEIGHT
from tests.motion.camera_scene import PEOPLE as PEOPLE_IN_BAND
from tests.motion.camera_scene import WIDTH as SWAY_WIDTH
from tests.motion.camera_scene import scene

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


@pytest.mark.parametrize(
    ("steady", "speed"),
    [
        # 4 px a frame at 0.05 m a pixel and 2 frames a second: the sway reads as 0.4 m/s.
        pytest.param(False, 0.4, id="taken-as-it-is"),
        pytest.param(True, 0.0, id="the-cameras-motion-taken-out"),
    ],
)
def test_a_standing_crowd_seen_from_a_swaying_pole(steady: bool, speed: float) -> None:
    width, height = SWAY_WIDTH, SWAY_HEIGHT
    people = PEOPLE_IN_BAND.astype(np.float64)
    roi = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    ground = uniform_scale(width * height * 0.05**2, roi)
    geometry = build_geometry(roi, ground, (width, height), people.shape, peak_window_m=3.0)
    tracker, config = MotionTracker(), MotionConfig(steady_camera=steady)
    sway = [scene(dx=4.0 * (i % 2)) for i in range(6)]  # to and fro, frame by frame
    readings = [
        tracker.follow(config, frame, i * 0.5, people, geometry, ground, crowd=people)
        for i, frame in enumerate(sway)
    ]
    assert readings[0] is None
    speeds = [r.speed_m_s for r in readings[1:] if r is not None]
    assert len(speeds) == 5
    assert float(np.median(speeds)) == pytest.approx(speed, abs=0.05)
