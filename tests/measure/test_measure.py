from __future__ import annotations

import numpy as np
import pytest

from monitor.density.base import DensityMap
from monitor.measure.geometry import GeometryError, SiteGeometry, build_geometry
from monitor.measure.ground import fit_homography, uniform_scale
from monitor.measure.measure import Measurement, measure

FRAME = (800, 600)
FULL_ROI = [(0.0, 0.0), (800.0, 0.0), (800.0, 600.0), (0.0, 600.0)]
LEFT_HALF = [(0.0, 0.0), (400.0, 0.0), (400.0, 600.0), (0.0, 600.0)]


def density_with(
    people: list[tuple[int, int, float]], shape: tuple[int, int] = (75, 100)
) -> DensityMap:
    values = np.zeros(shape, dtype=np.float32)
    for row, col, count in people:
        values[row, col] += count
    return DensityMap(values, FRAME)


def geometry(
    roi: list[tuple[float, float]], area_m2: float, shape: tuple[int, int] = (75, 100)
) -> SiteGeometry:
    return build_geometry(roi, uniform_scale(area_m2, roi), FRAME, shape, peak_window_m=3.0)


def test_count_and_mean_density_over_whole_region() -> None:
    result = measure(density_with([(10, 10, 3.0), (60, 90, 5.0)]), geometry(FULL_ROI, 400.0))
    assert result.count == pytest.approx(8.0)
    assert result.mean_density == pytest.approx(8.0 / 400.0)


def test_people_outside_the_region_are_not_counted() -> None:
    result = measure(density_with([(10, 10, 3.0), (10, 90, 5.0)]), geometry(LEFT_HALF, 100.0))
    assert result.count == pytest.approx(3.0)
    assert result.mean_density == pytest.approx(3.0 / 100.0)


def test_peak_finds_the_crowded_window() -> None:
    # 900 m² view; 36 people packed into one spot and 9 spread thinly elsewhere.
    spread = [
        (r, c, 1.0)
        for r, c in [
            (5, 5),
            (5, 50),
            (5, 95),
            (40, 5),
            (40, 95),
            (70, 5),
            (70, 50),
            (70, 95),
            (40, 70),
        ]
    ]
    result = measure(density_with([(37, 30, 36.0), *spread]), geometry(FULL_ROI, 900.0))
    assert result.mean_density == pytest.approx(45.0 / 900.0)
    # 36 people inside a 3 m x 3 m window: about 4 persons/m², far above the mean.
    assert 3.0 < result.peak_density <= 4.5


def test_peak_falls_back_to_mean_when_region_is_smaller_than_window() -> None:
    tiny = [(0.0, 0.0), (40.0, 0.0), (40.0, 40.0), (0.0, 40.0)]
    result = measure(density_with([(1, 1, 2.0)]), geometry(tiny, 1.0))
    assert result.peak_density == pytest.approx(result.mean_density, rel=0.05)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param((75, 100), id="stride-8"),
        pytest.param((150, 200), id="stride-4"),
        pytest.param((19, 25), id="stride-32"),
    ],
)
def test_count_does_not_depend_on_density_resolution(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(7)
    values = rng.random(shape).astype(np.float32)
    values *= 50.0 / values.sum()
    result = measure(DensityMap(values, FRAME), geometry(FULL_ROI, 500.0, shape))
    assert result.count == pytest.approx(50.0, rel=1e-4)
    assert result.mean_density == pytest.approx(0.1, rel=1e-4)


def test_grid_marks_cells_outside_region_and_holds_persons_per_m2() -> None:
    geo = geometry(LEFT_HALF, 100.0)
    result = measure(density_with([(37, 20, 10.0)]), geo)
    rows, cols = len(result.grid), len(result.grid[0])
    assert (rows, cols) == (12, 16)
    assert all(row[cols - 1] is None for row in result.grid)
    assert all(row[0] is not None for row in result.grid)
    cell = geo.grid_index.reshape(geo.density_shape)[37, 20]
    row, col = divmod(int(cell), cols)
    assert result.grid[row][col] == pytest.approx(10.0 / geo.grid_area_m2[cell], abs=1e-3)
    assert sum(v for line in result.grid for v in line if v) == pytest.approx(result.grid[row][col])


def test_count_scale_corrects_counts() -> None:
    result = measure(density_with([(10, 10, 4.0)]), geometry(FULL_ROI, 100.0), count_scale=1.25)
    assert result.count == pytest.approx(5.0)


def test_calibrated_far_cells_cover_more_ground() -> None:
    image = [(100.0, 500.0), (700.0, 500.0), (600.0, 200.0), (200.0, 200.0)]
    ground = fit_homography(image, [(0.0, 0.0), (10.0, 0.0), (10.0, 20.0), (0.0, 20.0)])
    geo = build_geometry(image, ground, FRAME, (75, 100), peak_window_m=3.0)
    assert geo.region_area_m2 == pytest.approx(200.0, rel=0.03)
    near = measure(density_with([(60, 50, 4.0)]), geo)
    far = measure(density_with([(26, 50, 4.0)]), geo)
    assert near.count == far.count == pytest.approx(4.0)

    def densest_cell(result: Measurement) -> float:
        return max(v for row in result.grid for v in row if v is not None)

    # The same four people in one image cell: a far cell spans more ground, so less density.
    assert densest_cell(near) > 2 * densest_cell(far)


def test_region_above_horizon_is_refused() -> None:
    # Edges converge at y = 50: anything higher in the frame is sky, not ground.
    image = [(100.0, 500.0), (700.0, 500.0), (500.0, 200.0), (300.0, 200.0)]
    ground = fit_homography(image, [(0.0, 0.0), (10.0, 0.0), (10.0, 20.0), (0.0, 20.0)])
    with pytest.raises(GeometryError, match="horizon"):
        build_geometry(FULL_ROI, ground, FRAME, (75, 100), peak_window_m=3.0)


def test_mismatched_density_shape_is_an_error() -> None:
    with pytest.raises(ValueError, match="does not match"):
        measure(density_with([], shape=(10, 10)), geometry(FULL_ROI, 100.0))


@pytest.mark.parametrize(
    ("exclude", "counted", "area_m2"),
    [
        pytest.param([], 8.0, 400.0, id="no-exclusions"),
        pytest.param([LEFT_HALF], 5.0, 200.0, id="left-half-excluded"),
        pytest.param(
            [[(0.0, 0.0), (200.0, 0.0), (200.0, 600.0), (0.0, 600.0)], LEFT_HALF],
            5.0,
            200.0,
            id="overlapping-exclusions-count-once",
        ),
        pytest.param(
            [[(700.0, 500.0), (900.0, 500.0), (900.0, 700.0), (700.0, 700.0)]],
            3.0,
            400.0 * (1 - 100 * 100 / (800 * 600)),
            id="exclusion-reaching-outside-the-frame",
        ),
    ],
)
def test_excluded_areas_count_neither_people_nor_ground(
    exclude: list[list[tuple[float, float]]], counted: float, area_m2: float
) -> None:
    geo = build_geometry(
        FULL_ROI, uniform_scale(400.0, FULL_ROI), FRAME, (75, 100), 3.0, exclude=exclude
    )
    result = measure(density_with([(10, 10, 3.0), (70, 95, 5.0)]), geo)
    assert result.count == pytest.approx(counted)
    # One pixel column of rounding where an exclusion's edge meets the region's.
    assert geo.region_area_m2 == pytest.approx(area_m2, rel=5e-3)
    assert result.mean_density == pytest.approx(counted / area_m2, rel=5e-3)


def test_everything_excluded_is_refused() -> None:
    with pytest.raises(GeometryError, match="no ground"):
        build_geometry(
            LEFT_HALF, uniform_scale(100.0, LEFT_HALF), FRAME, (75, 100), 3.0, exclude=[FULL_ROI]
        )
