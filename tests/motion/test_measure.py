from __future__ import annotations

import numpy as np
import pytest

from monitor.measure.geometry import SiteGeometry, build_geometry
from monitor.measure.ground import GroundModel, uniform_scale
from monitor.motion.flow import FlowField
from monitor.motion.measure import measure_motion

FRAME = (800, 600)
ROI = [(0.0, 0.0), (800.0, 0.0), (800.0, 600.0), (0.0, 600.0)]
SHAPE = (75, 100)  # density cells of 8 x 8 pixels
# 4,800 m² over 480,000 pixels: 0.1 m a pixel, 0.64 m² a density cell.
GROUND = uniform_scale(4800.0, ROI)
CELL_M2 = 0.64


def geometry(ground: GroundModel = GROUND) -> SiteGeometry:
    return build_geometry(ROI, ground, FRAME, SHAPE, peak_window_m=3.0)


def flow(dx: np.ndarray | float, dy: np.ndarray | float, dt_s: float = 0.5) -> FlowField:
    """Flow at density-cell resolution, in full-frame pixels over `dt_s`."""
    shape = SHAPE
    return FlowField(
        dx=np.broadcast_to(np.asarray(dx, np.float32), shape).copy(),
        dy=np.broadcast_to(np.asarray(dy, np.float32), shape).copy(),
        frame_size=FRAME,
        dt_s=dt_s,
    )


def crowd(per_m2: float) -> np.ndarray:
    return np.full(SHAPE, per_m2 * CELL_M2)


def measured(field: FlowField, people: np.ndarray, min_density: float = 2.0) -> tuple[float, float]:
    sample = measure_motion(field, people, geometry(), GROUND, min_density)
    return sample.speed_m_s, sample.pressure


@pytest.mark.parametrize(
    ("dx", "dy", "speed"),
    [
        pytest.param(0.0, 0.0, 0.0, id="standing"),
        # 5 pixels in 0.5 s at 0.1 m a pixel: 1 m/s.
        pytest.param(5.0, 0.0, 1.0, id="walking-east"),
        pytest.param(-3.0, 4.0, 1.0, id="walking-diagonally"),
        pytest.param(0.0, 15.0, 3.0, id="running"),
    ],
)
def test_a_crowd_moving_as_one_has_its_speed_and_no_pressure(
    dx: float, dy: float, speed: float
) -> None:
    assert measured(flow(dx, dy), crowd(4.0)) == pytest.approx((speed, 0.0), abs=1e-6)


def test_people_pushed_every_which_way_have_density_times_variance_as_pressure() -> None:
    # Neighbouring columns of cells pushed east and west at 1 m/s: in every window the
    # mean velocity is about nil and its variance about 1 m²/s², so P = 5/m² x 1.
    east_west = np.where(np.arange(SHAPE[1]) % 2 == 0, 5.0, -5.0)[None, :]
    speed, pressure = measured(flow(east_west, 0.0), crowd(5.0))
    assert speed == pytest.approx(1.0)
    assert pressure == pytest.approx(5.0, rel=0.05)


def test_pressure_is_the_worst_window_not_the_average() -> None:
    # Only a 10 x 10 cell patch (6.4 m across) is pushed about; the rest stands still.
    dx = np.zeros(SHAPE)
    dx[30:40, 40:50] = np.where(np.arange(10) % 2 == 0, 0.5, -0.5)[None, :]
    _, pressure = measured(flow(dx, 0.0), crowd(4.0))
    # 0.1 m/s either way: variance 0.01 m²/s², times 4/m².
    assert pressure == pytest.approx(0.04, rel=0.1)


def test_two_sparse_streams_walking_past_each_other_are_no_turbulence() -> None:
    east_west = np.where(np.arange(SHAPE[1]) % 2 == 0, 5.0, -5.0)[None, :]
    assert measured(flow(east_west, 0.0), crowd(0.5))[1] == 0.0
    # The same streams are measured once the density floor is lowered below them.
    assert measured(flow(east_west, 0.0), crowd(0.5), min_density=0.25)[1] == pytest.approx(
        0.5, rel=0.05
    )


def test_motion_where_no_one_is_does_not_count() -> None:
    people = np.zeros(SHAPE)
    people[:, :50] = 4.0 * CELL_M2  # the west half holds a still crowd
    dx = np.zeros(SHAPE)
    dx[:, 50:] = 20.0  # the east half, empty, moves (a passing lorry's shadow)
    assert measured(flow(dx, 0.0), people) == pytest.approx((0.0, 0.0), abs=1e-6)
    assert measured(flow(dx, 0.0), np.zeros(SHAPE)) == (0.0, 0.0)


def test_a_homography_turns_the_pixels_moved_into_metres_on_the_ground() -> None:
    # Ground 0.1 m a pixel across and 0.3 m a pixel up and down the frame (a slanted view).
    slanted = GroundModel(np.diag([0.1, 0.3, 1.0]), metres_per_pixel=float("nan"), fit_error_m=0)
    motion = measure_motion(flow(0.0, 2.0), crowd(4.0), geometry(slanted), slanted, 2.0)
    assert motion.speed_m_s == pytest.approx(2.0 * 0.3 / 0.5)


def test_a_pixel_that_moved_counts_for_its_cell_more_than_still_ground_around_it() -> None:
    # A person fills a quarter of a far cell and steps 8 pixels; the ground around them does
    # not move. The cell moves with the person, not a quarter as far.
    fine = np.zeros((SHAPE[0] * 2, SHAPE[1] * 2), np.float32)
    fine[::2, ::2] = 8.0
    field = FlowField(fine, np.zeros_like(fine), FRAME, 0.5)
    people = np.zeros(SHAPE)
    people[10, 10] = 1.0
    assert measured(field, people)[0] == pytest.approx(8 * 0.1 / 0.5)


@pytest.mark.parametrize(
    ("field", "people", "error"),
    [
        pytest.param(flow(1.0, 0.0), np.zeros((10, 10)), "does not match", id="wrong-shape"),
        pytest.param(flow(1.0, 0.0, dt_s=0.0), crowd(1.0), "must be positive", id="no-time"),
    ],
)
def test_bad_input_is_refused(field: FlowField, people: np.ndarray, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        measure_motion(field, people, geometry(), GROUND, 2.0)
