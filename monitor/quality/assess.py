"""What one frame's pixels say about how far its count can be trusted.

Three properties a density model is sensitive to, each measured blind (no reference
frame) on the grey image in a few milliseconds. `bench/quality_bench.py` shows how each
tracks the count error on the validation images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from monitor.density.base import Frame

# Immerkær's mask: zero response to any local plane or ramp, so what it finds in a flat
# patch is noise. Its mean absolute response is sigma * 6 / sqrt(pi / 2) for Gaussian noise.
_NOISE_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
_NOISE_SCALE = float(np.sqrt(np.pi / 2) / 6)
_NOISE_BLOCK = 16
# The flattest tenth of the frame: sky, pavement and walls have no texture of their own,
# so what those blocks show is the sensor, not the scene.
_NOISE_PERCENTILE = 10
MIN_SIDE = 32  # two pyramid levels and whole 16-pixel noise blocks need this much
_CODING_BLOCK = 8  # JPEG and MPEG-2/4 transform blocks; H.264's 4x4 and 8x8 share its edges


@dataclass(frozen=True, slots=True)
class FrameQuality:
    noise: float  # grey-level standard deviation of the sensor noise
    detail: float  # finest-scale edge energy over the energy two octaves coarser
    blocking: float  # edge strength on the 8-pixel coding grid over edge strength elsewhere
    spread: float  # grey-level standard deviation of the frame at a quarter of its size

    def rounded(self, digits: int = 3) -> FrameQuality:
        """As readings carry it: the limits have two decimals, and stored rows stay short."""
        return FrameQuality(
            noise=round(self.noise, digits),
            detail=round(self.detail, digits),
            blocking=round(self.blocking, digits),
            spread=round(self.spread, digits),
        )


def assess_frame(image: Frame) -> FrameQuality:
    """Measures a BGR or grey frame; frames with a side under MIN_SIDE pixels are refused."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    if min(height, width) < MIN_SIDE:
        raise ValueError(
            f"a frame of {width}x{height} is too small to assess ({MIN_SIDE}x{MIN_SIDE} at least)"
        )
    # Whole coding blocks only, so the 8-pixel grid starts at the image's corner.
    grey = grey[: height - height % 16, : width - width % 16].astype(np.float32)
    quarter = cv2.pyrDown(cv2.pyrDown(grey))
    return FrameQuality(
        noise=_noise(grey),
        detail=_detail(grey, quarter),
        blocking=_blocking(grey),
        spread=float(quarter.std()),
    )


def _noise(grey: np.ndarray) -> float:
    response = np.abs(cv2.filter2D(grey, cv2.CV_32F, _NOISE_MASK))
    rows, cols = response.shape[0] // _NOISE_BLOCK, response.shape[1] // _NOISE_BLOCK
    blocks = response[: rows * _NOISE_BLOCK, : cols * _NOISE_BLOCK].reshape(
        rows, _NOISE_BLOCK, cols, _NOISE_BLOCK
    )
    per_block = blocks.mean(axis=(1, 3)) * _NOISE_SCALE
    return float(np.percentile(per_block, _NOISE_PERCENTILE))


def _detail(grey: np.ndarray, quarter: np.ndarray) -> float:
    """A starved encoder drops the finest scale first and keeps the coarse shapes, so the
    ratio falls; for natural scenes it stays near 0.7-1.1 whatever the content."""
    fine = float(np.abs(cv2.Laplacian(grey, cv2.CV_32F, ksize=1)).mean())
    coarse = float(np.abs(cv2.Laplacian(quarter, cv2.CV_32F, ksize=1)).mean())
    return fine / coarse if coarse > 1e-3 else 0.0


def _blocking(grey: np.ndarray) -> float:
    across_columns = np.abs(np.diff(grey, axis=1))
    across_rows = np.abs(np.diff(grey, axis=0))
    step = _CODING_BLOCK
    edges = 1e-6 + across_columns.mean(), 1e-6 + across_rows.mean()
    on_grid = across_columns[:, step - 1 :: step].mean(), across_rows[step - 1 :: step, :].mean()
    return float((on_grid[0] / edges[0] + on_grid[1] / edges[1]) / 2)


def region_box(image: Frame, roi: Sequence[tuple[float, float]]) -> Frame:
    """The frame inside the region's bounding box, where the count comes from. It also
    leaves out letterbox bars, whose clipped black would read as a noiseless sensor."""
    height, width = image.shape[:2]
    xs, ys = [x for x, _ in roi], [y for _, y in roi]
    # Corners on the 16-pixel grid, so the coding blocks still start at the crop's corner.
    left, right = max(0, int(min(xs))) // 16 * 16, min(width, int(max(xs)) + 1)
    top, bottom = max(0, int(min(ys))) // 16 * 16, min(height, int(max(ys)) + 1)
    if min(right - left, bottom - top) < MIN_SIDE:  # a sliver: the whole frame says more
        return image
    return image[top:bottom, left:right]
