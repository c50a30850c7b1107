"""Ground-truth density: how wide each annotated head's Gaussian is, and the density grid."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
from sklearn.neighbors import KDTree

from monitor.density.gaussian import splat_gaussians

FloatArray = npt.NDArray[np.float32]
SigmaMode = Literal["fixed", "adaptive"]


def fixed_sigmas(points: FloatArray, sigma: float) -> FloatArray:
    return np.full(len(points), sigma, dtype=np.float32)


def adaptive_sigmas(
    points: FloatArray,
    *,
    k: int = 3,
    beta: float = 0.3,
    lone_sigma: float = 8.0,
    limits: tuple[float, float] = (1.0, 20.0),
) -> FloatArray:
    """Geometry-adaptive kernels (Zhang et al. 2016): beta times the mean distance to the k
    nearest heads, since in dense crowds that distance tracks head size."""
    n = len(points)
    if n < 2:
        return np.full(n, lone_sigma, dtype=np.float32)
    neighbours = min(k, n - 1)
    distances, _ = KDTree(points.astype(np.float64)).query(points, k=neighbours + 1)
    sigmas = beta * distances[:, 1:].mean(axis=1)
    clipped: FloatArray = np.clip(sigmas, *limits).astype(np.float32)
    return clipped


def sigmas_for(points: FloatArray, mode: SigmaMode, sigma: float) -> FloatArray:
    if mode == "adaptive":
        return adaptive_sigmas(points, lone_sigma=sigma)
    return fixed_sigmas(points, sigma)


def density_target(
    points: FloatArray, sigmas: FloatArray, frame_size: tuple[int, int], stride: int
) -> FloatArray:
    """People per stride x stride cell over a frame whose sides are multiples of `stride`."""
    width, height = frame_size
    return splat_gaussians(points, sigmas, frame_size, (height // stride, width // stride))
