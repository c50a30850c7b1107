from __future__ import annotations

import numpy as np
import pytest

from monitor.motion.camera import camera_motion, steadied
from monitor.motion.flow import FlowField, flow_frame, optical_flow
from tests.motion.camera_scene import CROWD_ROWS, EVERYWHERE, HEIGHT, PEOPLE, scene

COPY_WIDTH = 320
SCALE = 640 / COPY_WIDTH  # full-frame pixels per pixel of the flow's copy
BAND = slice(CROWD_ROWS[0] // 2 + 8, CROWD_ROWS[1] // 2 - 8)  # the crowd, on the copy
SKY = slice(0, CROWD_ROWS[0] // 2 - 8)


def flow_between(before: np.ndarray, after: np.ndarray) -> tuple[FlowField, np.ndarray]:
    later = flow_frame(after, COPY_WIDTH, 0.5)
    return optical_flow(flow_frame(before, COPY_WIDTH, 0.0), later), later.grey


@pytest.mark.parametrize(
    ("walk", "sway"),
    [
        pytest.param(0.0, (4.0, -2.0), id="a-standing-crowd-on-a-swaying-pole"),
        pytest.param(6.0, (4.0, 0.0), id="a-walking-crowd-on-a-swaying-pole"),
        pytest.param(-6.0, (-8.0, 3.0), id="a-crowd-walking-the-way-the-camera-pans"),
    ],
)
def test_the_cameras_sway_is_taken_out_and_the_crowds_own_walk_kept(
    walk: float, sway: tuple[float, float]
) -> None:
    flow, grey = flow_between(scene(), scene(walk_px=walk, dx=sway[0], dy=sway[1]))
    transform = camera_motion(flow, grey, PEOPLE)
    assert transform is not None
    assert transform[:, 2] * SCALE == pytest.approx(sway, abs=0.15)
    steady = steadied(flow, transform)
    assert float(np.median(steady.dx[BAND])) == pytest.approx(walk, abs=0.3)
    assert float(np.median(steady.dy[BAND])) == pytest.approx(0.0, abs=0.3)
    assert float(np.median(np.abs(steady.dx[SKY]))) < 0.2


def test_a_zoom_is_taken_out_where_it_would_read_as_a_crowd_pushed_apart() -> None:
    flow, grey = flow_between(scene(), scene(zoom=1.02))
    transform = camera_motion(flow, grey, PEOPLE)
    assert transform is not None
    assert transform[0, 0] == pytest.approx(1.02, abs=0.002)
    steady = steadied(flow, transform)
    # The zoom spreads the band's flow from -6 px at its left end to +6 at its right.
    assert float(np.ptp(np.percentile(flow.dx[BAND], [5, 95]))) > 8
    assert float(np.ptp(np.percentile(steady.dx[BAND], [5, 95]))) < 1.5


def test_a_camera_that_held_still_leaves_the_flow_as_it_was() -> None:
    flow, grey = flow_between(scene(), scene(walk_px=6.0))
    assert steadied(flow, camera_motion(flow, grey, PEOPLE)) is flow


def test_a_crowd_from_edge_to_edge_is_never_taken_for_the_camera() -> None:
    # No empty ground to tell the camera's motion from: a crowd walking as one stays walking.
    flow, grey = flow_between(scene(), scene(walk_px=6.0))
    assert camera_motion(flow, grey, EVERYWHERE) is None
    assert steadied(flow, None) is flow


def test_flat_ground_says_nothing_of_the_camera() -> None:
    flat = np.full((HEIGHT, 640, 3), 120, np.uint8)
    flow, grey = flow_between(flat, flat)
    assert camera_motion(flow, grey, PEOPLE) is None
