"""Everything about a site's view that does not change from frame to frame.

Built once per (frame size, density grid shape) and reused for every frame, so the
per-frame measurement is a few vectorised sums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.config.site import Point
from monitor.measure.ground import GroundModel, polygon_area

FloatGrid = npt.NDArray[np.float64]
IndexGrid = npt.NDArray[np.intp]

MAX_GROUND_BINS = 256


class GeometryError(ValueError):
    """A region that cannot be measured with this ground model."""


@dataclass(frozen=True, slots=True)
class SiteGeometry:
    density_shape: tuple[int, int]
    roi_fraction: FloatGrid  # share of each density cell inside the region
    cell_area_m2: FloatGrid  # ground area of each density cell inside the region
    region_area_m2: float
    grid_shape: tuple[int, int]
    grid_index: IndexGrid  # coarse overlay cell of each density cell, flattened
    grid_area_m2: FloatGrid  # ground area of each coarse cell inside the region
    ground_bins: tuple[int, int]
    ground_index: IndexGrid  # ground raster bin of each density cell, flattened
    window_bins: int
    min_window_area_m2: float


def _cell_corner_areas(
    ground: GroundModel, frame_size: tuple[int, int], shape: tuple[int, int]
) -> FloatGrid:
    rows, cols = shape
    width, height = frame_size
    xs = np.linspace(0.0, width, cols + 1)
    ys = np.linspace(0.0, height, rows + 1)
    grid_x, grid_y = np.meshgrid(xs, ys)
    corners = ground.to_ground(np.stack([grid_x.ravel(), grid_y.ravel()], axis=1))
    gx = corners[:, 0].reshape(rows + 1, cols + 1)
    gy = corners[:, 1].reshape(rows + 1, cols + 1)
    # Shoelace over each cell's four projected corners (TL, TR, BR, BL).
    x0, y0 = gx[:-1, :-1], gy[:-1, :-1]
    x1, y1 = gx[:-1, 1:], gy[:-1, 1:]
    x2, y2 = gx[1:, 1:], gy[1:, 1:]
    x3, y3 = gx[1:, :-1], gy[1:, :-1]
    twice = (x0 * y1 - x1 * y0) + (x1 * y2 - x2 * y1) + (x2 * y3 - x3 * y2) + (x3 * y0 - x0 * y3)
    return np.abs(twice) / 2.0


def _roi_fraction(
    roi: list[Point],
    frame_size: tuple[int, int],
    shape: tuple[int, int],
    exclude: Sequence[list[Point]] = (),
) -> FloatGrid:
    width, height = frame_size
    mask = np.zeros((height, width), dtype=np.float32)
    polygon = np.round(np.asarray(roi, dtype=np.float64)).astype(np.int32)
    cv2.fillPoly(mask, [polygon], 1.0)
    for hole in exclude:
        cv2.fillPoly(mask, [np.round(np.asarray(hole, dtype=np.float64)).astype(np.int32)], 0.0)
    rows, cols = shape
    return cv2.resize(mask, (cols, rows), interpolation=cv2.INTER_AREA).astype(np.float64)


def _block_index(shape: tuple[int, int], blocks: tuple[int, int]) -> IndexGrid:
    rows, cols = shape
    block_rows, block_cols = blocks
    row_of = np.arange(rows) * block_rows // rows
    col_of = np.arange(cols) * block_cols // cols
    return (row_of[:, None] * block_cols + col_of[None, :]).ravel().astype(np.intp)


def grid_shape_for(frame_size: tuple[int, int], columns: int = 16) -> tuple[int, int]:
    width, height = frame_size
    return max(1, round(columns * height / width)), columns


def build_geometry(
    roi: list[Point],
    ground: GroundModel,
    frame_size: tuple[int, int],
    density_shape: tuple[int, int],
    peak_window_m: float,
    grid_shape: tuple[int, int] | None = None,
    exclude: Sequence[list[Point]] = (),
) -> SiteGeometry:
    """`exclude`: polygons inside the region that are not counted (people nor area)."""
    rows, cols = density_shape
    fraction = _roi_fraction(roi, frame_size, density_shape, exclude)
    cell_area = _cell_corner_areas(ground, frame_size, density_shape)
    usable = (fraction > 0) & np.isfinite(cell_area)
    if np.any((fraction > 0) & ~np.isfinite(cell_area)):
        raise GeometryError("the region reaches above the calibrated horizon; redraw it lower")
    fraction = np.where(usable, fraction, 0.0)
    area_in_roi = np.where(usable, cell_area, 0.0) * fraction
    if float(area_in_roi.sum()) <= 0:
        raise GeometryError("the region covers no ground inside the frame")
    # A homography keeps straight edges straight, so the polygon's exact ground area is
    # known; rescaling removes the pixel rounding of the rasterised mask. The same
    # correction applies to what is left once exclusions are cut out.
    exact_area = polygon_area(ground.to_ground(np.asarray(roi, dtype=np.float64)))
    whole = _roi_fraction(roi, frame_size, density_shape) if exclude else fraction
    rasterised_area = float((np.where(usable | (whole > 0), cell_area, 0.0) * whole).sum())
    if np.isfinite(exact_area) and exact_area > 0 and np.isfinite(rasterised_area):
        area_in_roi *= exact_area / rasterised_area
    region_area = float(area_in_roi.sum())

    grid = grid_shape or grid_shape_for(frame_size)
    grid_index = _block_index(density_shape, grid)
    grid_area = np.bincount(
        grid_index, weights=area_in_roi.ravel(), minlength=grid[0] * grid[1]
    ).astype(np.float64)

    width, height = frame_size
    xs = (np.arange(cols) + 0.5) * width / cols
    ys = (np.arange(rows) + 0.5) * height / rows
    centres_x, centres_y = np.meshgrid(xs, ys)
    centres = ground.to_ground(np.stack([centres_x.ravel(), centres_y.ravel()], axis=1))
    inside = usable.ravel() & np.isfinite(centres).all(axis=1)
    lo = centres[inside].min(axis=0)
    hi = centres[inside].max(axis=0)
    # Three bins per window side, coarser when the region is too large for the raster.
    bin_size = max(peak_window_m / 3.0, float(np.max(hi - lo)) / MAX_GROUND_BINS)
    window_bins = max(1, round(peak_window_m / bin_size))
    bins = np.maximum(1, np.ceil((hi - lo) / bin_size).astype(int) + 1)
    cell_bins = np.zeros((rows * cols, 2), dtype=np.intp)
    cell_bins[inside] = np.floor((centres[inside] - lo) / bin_size).astype(np.intp)
    ground_index = cell_bins[:, 1] * bins[0] + cell_bins[:, 0]

    window_area = (window_bins * bin_size) ** 2
    return SiteGeometry(
        density_shape=density_shape,
        roi_fraction=fraction,
        cell_area_m2=area_in_roi,
        region_area_m2=region_area,
        grid_shape=grid,
        grid_index=grid_index,
        grid_area_m2=grid_area,
        ground_bins=(int(bins[1]), int(bins[0])),
        ground_index=ground_index,
        window_bins=window_bins,
        min_window_area_m2=min(0.5 * window_area, 0.9 * region_area),
    )


def roi_pixel_area(roi: list[Point]) -> float:
    return polygon_area(np.asarray(roi, dtype=np.float64))
