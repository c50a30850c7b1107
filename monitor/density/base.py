"""The contract between a density estimator and the rest of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
Frame = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class DensityMap:
    """People per cell over a whole frame.

    ``values`` is a float32 grid of shape (rows, cols) laid evenly over the frame of
    ``frame_size`` (width, height): cell (r, c) covers the image rectangle
    [c * w/cols, (c+1) * w/cols) x [r * h/rows, (r+1) * h/rows). The sum of ``values``
    is the estimated number of people in the frame, whatever the grid's resolution.
    """

    values: FloatArray
    frame_size: tuple[int, int]

    def __post_init__(self) -> None:
        if self.values.ndim != 2:
            raise ValueError(f"density values must be 2-D, got shape {self.values.shape}")
        if self.values.dtype != np.float32:
            raise ValueError(f"density values must be float32, got {self.values.dtype}")
        width, height = self.frame_size
        if width <= 0 or height <= 0:
            raise ValueError(f"frame_size must be positive, got {self.frame_size}")

    @property
    def count(self) -> float:
        return float(self.values.sum(dtype=np.float64))

    @property
    def cell_size(self) -> tuple[float, float]:
        """Width and height of one cell in image pixels."""
        rows, cols = self.values.shape
        width, height = self.frame_size
        return width / cols, height / rows


@runtime_checkable
class DensityEstimator(Protocol):
    """Turns one BGR frame (H, W, 3, uint8) into a density map of the whole frame.

    Implementations hold no per-call state, so one instance may serve several site
    workers from their own threads.
    """

    name: str

    def estimate(self, frame: Frame) -> DensityMap: ...
