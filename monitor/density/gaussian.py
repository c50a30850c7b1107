"""Unit-mass Gaussians integrated over a coarse grid: the shared way to turn points into density.

Each Gaussian is separable, so its mass in every cell is the product of a row profile and a
column profile, each the difference of two normal CDFs at the cell edges. Stacking the profiles
of all points turns the whole map into one matrix product, exact even when a Gaussian is much
smaller than a cell (where sampling at cell centres would lose or invent mass).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Float64Array = npt.NDArray[np.float64]

# The narrowest Gaussian, in pixels: below this a point is effectively a delta anyway.
MIN_SIGMA_PX = 0.5


def _erf(x: Float64Array) -> Float64Array:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): numpy only, no scipy at run time."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    result: Float64Array = sign * (1.0 - poly * np.exp(-a * a))
    return result


def _cell_profiles(
    centres: Float64Array, sigmas: Float64Array, length: float, cells: int
) -> Float64Array:
    """Mass of each 1-D Gaussian in each of `cells` equal bins over [0, length): (points, cells)."""
    edges = np.linspace(0.0, length, cells + 1)
    scaled = (edges[None, :] - centres[:, None]) / (sigmas[:, None] * np.sqrt(2.0))
    cdf = 0.5 * (1.0 + _erf(scaled))
    profile: Float64Array = np.diff(cdf, axis=1)
    # Mass that falls off the frame is given back to the cells inside, so every point that lies
    # in the frame adds exactly one person; annotated counts include people at the border.
    totals = profile.sum(axis=1, keepdims=True)
    profile /= np.maximum(totals, 1e-12)
    return profile


def splat_gaussians(
    points: npt.ArrayLike,
    sigmas: npt.ArrayLike | float,
    frame_size: tuple[int, int],
    grid_shape: tuple[int, int],
) -> FloatArray:
    """Density grid (rows, cols) over a frame of (width, height), one unit of mass per point.

    `points` is (N, 2) of (x, y) in frame pixels; points outside the frame are dropped. `sigmas`
    is one standard deviation in pixels, or one per point.
    """
    width, height = frame_size
    rows, cols = grid_shape
    xy = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    sig = np.broadcast_to(np.asarray(sigmas, dtype=np.float64), (xy.shape[0],))
    inside = (xy[:, 0] >= 0) & (xy[:, 0] < width) & (xy[:, 1] >= 0) & (xy[:, 1] < height)
    xy, sig = xy[inside], np.maximum(sig[inside], MIN_SIGMA_PX)
    if xy.shape[0] == 0:
        return np.zeros((rows, cols), dtype=np.float32)
    col_profiles = _cell_profiles(xy[:, 0], sig, float(width), cols)
    row_profiles = _cell_profiles(xy[:, 1], sig, float(height), rows)
    density: FloatArray = (row_profiles.T @ col_profiles).astype(np.float32)
    return density
