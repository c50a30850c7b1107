"""Per-cell hand-crafted features for the classic estimator (Chen et al.-style).

Per pixel: foreground against a background image, edges (all, and on the foreground), gradient
magnitude and local texture. Each is optionally weighted by the inverse squared perspective, so
a far person weighs as much as a near one, then averaged over cells, and the cell averages are
also blurred over each 3x3 neighbourhood so a cell sees whether its neighbours are busy.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import FloatArray, Frame

FOREGROUND_THRESHOLD = 25.0
N_PIXEL_FEATURES = 6


def pixel_features(
    gray: npt.NDArray[np.uint8], background: npt.NDArray[np.uint8] | None
) -> FloatArray:
    """(H, W, N_PIXEL_FEATURES) float32 maps in roughly 0..1."""
    blurred = cv2.GaussianBlur(gray, (3, 3), 0)
    edges = cv2.Canny(blurred, 50, 150).astype(np.float32) / 255.0
    gx = cv2.Sobel(blurred, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(blurred, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy) / 255.0
    texture = np.abs(cv2.Laplacian(blurred, cv2.CV_32F, ksize=3)) / 255.0
    if background is None:
        difference = np.zeros_like(magnitude)
    else:
        difference = cv2.absdiff(blurred, background).astype(np.float32)
    foreground = (difference > FOREGROUND_THRESHOLD).astype(np.float32)
    maps: list[npt.NDArray[Any]] = [
        foreground,
        difference / 255.0,
        edges,
        edges * foreground,
        magnitude,
        texture,
    ]
    return np.asarray(np.dstack(maps), dtype=np.float32)


def area_resize(maps: FloatArray, size: tuple[int, int]) -> FloatArray:
    """Area-average (H, W, C) maps to size (w, h); OpenCV's area resize takes at most 4
    channels at non-integer ratios, so the maps go through in groups of 4."""
    parts = [
        np.asarray(
            cv2.resize(maps[:, :, i : i + 4], size, interpolation=cv2.INTER_AREA), dtype=np.float32
        ).reshape(size[1], size[0], -1)
        for i in range(0, maps.shape[2], 4)
    ]
    return np.concatenate(parts, axis=2)


def cell_features(
    frame: Frame,
    grid_shape: tuple[int, int],
    background: npt.NDArray[np.uint8] | None,
    weight: FloatArray | None,
    work_scale: float = 1.0,
) -> FloatArray:
    """(rows * cols, features) for a frame: cell means, 3x3 context, weight and position.

    `work_scale` < 1 computes the pixel maps on a shrunk frame; cells are averages anyway.
    """
    rows, cols = grid_shape
    gray = np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if work_scale != 1.0:
        small = cv2.resize(gray, None, fx=work_scale, fy=work_scale, interpolation=cv2.INTER_AREA)
        gray = np.asarray(small, dtype=np.uint8)
    work_size = (gray.shape[1], gray.shape[0])
    if background is not None and background.shape != gray.shape:
        background = np.asarray(
            cv2.resize(background, work_size, interpolation=cv2.INTER_AREA), dtype=np.uint8
        )
    if weight is not None and weight.shape != gray.shape:
        weight = np.asarray(
            cv2.resize(weight, work_size, interpolation=cv2.INTER_AREA), dtype=np.float32
        )
    maps = pixel_features(gray, background)
    if weight is not None:
        maps *= weight[:, :, None]
    cells = area_resize(maps, (cols, rows))
    context = np.concatenate(
        [
            np.asarray(
                cv2.blur(cells[:, :, i : i + 4], (3, 3), borderType=cv2.BORDER_REFLECT),
                dtype=np.float32,
            ).reshape(rows, cols, -1)
            for i in range(0, cells.shape[2], 4)
        ],
        axis=2,
    )
    row_pos = np.repeat(np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None], cols, axis=1)
    col_pos = np.repeat(np.linspace(0.0, 1.0, cols, dtype=np.float32)[None, :], rows, axis=0)
    if weight is None:
        cell_weight = np.ones((rows, cols), dtype=np.float32)
    else:
        cell_weight = np.asarray(
            cv2.resize(weight, (cols, rows), interpolation=cv2.INTER_AREA), dtype=np.float32
        ).reshape(rows, cols)
    extra = np.dstack([cell_weight, row_pos, col_pos])
    stacked = np.concatenate([cells, context, extra], axis=2)
    return stacked.reshape(rows * cols, -1).astype(np.float32)


def perspective_weight(perspective: FloatArray) -> FloatArray:
    """Inverse squared relative person size, scaled to mean 1: far pixels weigh more."""
    inverse = 1.0 / np.maximum(perspective.astype(np.float32), 1e-3) ** 2
    result: FloatArray = (inverse / inverse.mean()).astype(np.float32)
    return result
