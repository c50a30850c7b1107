"""From a density map to the numbers an operator acts on."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitor.density.base import DensityMap
from monitor.measure.geometry import FloatGrid, SiteGeometry


@dataclass(frozen=True, slots=True)
class Measurement:
    count: float  # people inside the region
    mean_density: float  # persons/m² over the whole region
    peak_density: float  # persons/m² in the densest ground window
    grid: list[list[float | None]]  # persons/m² per coarse cell; None outside the region
    people: FloatGrid  # people per density cell inside the region, count_scale applied


def _window_sums(raster: FloatGrid, size: int) -> FloatGrid:
    """Sum over every size x size window that fits, via a summed-area table."""
    padded = np.pad(raster, ((1, 0), (1, 0))).cumsum(axis=0).cumsum(axis=1)
    size_r = min(size, raster.shape[0])
    size_c = min(size, raster.shape[1])
    sums = (
        padded[size_r:, size_c:]
        - padded[:-size_r, size_c:]
        - padded[size_r:, :-size_c]
        + padded[:-size_r, :-size_c]
    )
    return np.asarray(sums, dtype=np.float64)


def ground_window_sums(per_cell: FloatGrid, geometry: SiteGeometry) -> FloatGrid:
    """`per_cell` (a value per density cell) summed over every peak-window square of ground."""
    bins = geometry.ground_bins[0] * geometry.ground_bins[1]
    raster = np.bincount(geometry.ground_index, weights=per_cell.ravel(), minlength=bins)
    grid = raster.astype(np.float64).reshape(geometry.ground_bins)
    return _window_sums(grid, geometry.window_bins)


def measurable_windows(area_windows: FloatGrid, geometry: SiteGeometry) -> npt.NDArray[np.bool_]:
    """The windows with enough of the region's ground in them to give a density."""
    return area_windows >= geometry.min_window_area_m2


def _peak_density(people: FloatGrid, geometry: SiteGeometry) -> float:
    people_windows = ground_window_sums(people, geometry)
    area_windows = ground_window_sums(geometry.cell_area_m2, geometry)
    valid = measurable_windows(area_windows, geometry)
    if not valid.any():
        return float(people.sum() / geometry.region_area_m2)
    return float(np.max(people_windows[valid] / area_windows[valid]))


def region_people(density: DensityMap, geometry: SiteGeometry, count_scale: float) -> FloatGrid:
    """People per density cell inside the region, corrected by the site's count_scale."""
    if density.values.shape != geometry.density_shape:
        raise ValueError(
            f"density map shape {density.values.shape} does not match the site geometry "
            f"{geometry.density_shape}"
        )
    people = np.clip(density.values.astype(np.float64), 0.0, None) * geometry.roi_fraction
    return people * count_scale


def measure(density: DensityMap, geometry: SiteGeometry, count_scale: float = 1.0) -> Measurement:
    people = region_people(density, geometry, count_scale)
    count = float(people.sum())

    rows, cols = geometry.grid_shape
    grid_people = np.bincount(geometry.grid_index, weights=people.ravel(), minlength=rows * cols)
    inside = geometry.grid_area_m2 > 1e-9
    grid_density = np.divide(
        grid_people, geometry.grid_area_m2, out=np.zeros_like(grid_people), where=inside
    )
    grid: list[list[float | None]] = [
        [
            round(float(grid_density[r * cols + c]), 3) if inside[r * cols + c] else None
            for c in range(cols)
        ]
        for r in range(rows)
    ]
    return Measurement(
        count=count,
        mean_density=count / geometry.region_area_m2,
        peak_density=_peak_density(people, geometry),
        grid=grid,
        people=people,
    )
