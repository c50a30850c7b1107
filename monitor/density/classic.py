"""The classic estimator: hand-crafted cell features regressed to per-cell counts.

Meant for one fixed camera, fitted in seconds from a few annotated frames of it (the
background is the per-pixel median of those frames). Saved with joblib; like any pickle, only
load model files you trust.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import joblib  # type: ignore[import-untyped]
import numpy as np
import numpy.typing as npt
from sklearn.ensemble import HistGradientBoostingRegressor

from monitor.density.base import DensityMap, FloatArray, Frame
from monitor.density.features import cell_features, perspective_weight
from monitor.density.gaussian import splat_gaussians
from monitor.density.roi import cell_coverage

CELL_PX = 20
# Pixel features are computed at half resolution: cell averages barely change, time drops 4x.
WORK_SCALE = 0.5
# Head annotations sit on the head; half a cell spreads each person over the cells around it.
TARGET_SIGMA_PX = 8.0
FORMAT_VERSION = 1
Points = npt.NDArray[np.float32]


def grid_for(frame_size: tuple[int, int], cell_px: int = CELL_PX) -> tuple[int, int]:
    width, height = frame_size
    return max(1, round(height / cell_px)), max(1, round(width / cell_px))


class ClassicDensityEstimator:
    """Thread-safe once fitted: estimate() only reads the fitted state."""

    name = "classic"

    def __init__(
        self,
        regressor: Any,
        background: npt.NDArray[np.uint8] | None,
        perspective: FloatArray | None,
        cell_px: int = CELL_PX,
    ) -> None:
        self._regressor = regressor
        self._background = background
        self._perspective = perspective
        self.cell_px = cell_px

    def _inputs_at(
        self, frame_size: tuple[int, int]
    ) -> tuple[npt.NDArray[np.uint8] | None, FloatArray | None]:
        """Background (blurred like the frame) and perspective weight at this frame's size."""
        background, weight = self._background, None
        if background is not None and (background.shape[1], background.shape[0]) != frame_size:
            resized = cv2.resize(background, frame_size, interpolation=cv2.INTER_AREA)
            background = np.asarray(resized, dtype=np.uint8)
        if self._perspective is not None:
            perspective = self._perspective
            if (perspective.shape[1], perspective.shape[0]) != frame_size:
                resized = cv2.resize(perspective, frame_size, interpolation=cv2.INTER_LINEAR)
                perspective = np.asarray(resized, dtype=np.float32)
            weight = perspective_weight(perspective)
        return background, weight

    def features(self, frame: Frame) -> tuple[FloatArray, tuple[int, int]]:
        size = (frame.shape[1], frame.shape[0])
        grid = grid_for(size, self.cell_px)
        background, weight = self._inputs_at(size)
        return cell_features(frame, grid, background, weight, WORK_SCALE), grid

    def estimate(self, frame: Frame) -> DensityMap:
        features, grid = self.features(frame)
        cells = np.maximum(self._regressor.predict(features), 0.0).astype(np.float32)
        return DensityMap(values=cells.reshape(grid), frame_size=(frame.shape[1], frame.shape[0]))

    def save(self, path: Path | str) -> None:
        state = {
            "version": FORMAT_VERSION,
            "regressor": self._regressor,
            "background": self._background,
            "perspective": self._perspective,
            "cell_px": self.cell_px,
        }
        joblib.dump(state, Path(path), compress=3)

    @classmethod
    def load(cls, path: Path | str) -> ClassicDensityEstimator:
        try:
            state = joblib.load(Path(path))
        except Exception as error:  # unpickling can fail in many ways; all mean "not our file"
            raise ValueError(f"cannot load classic model {path}: {error}") from error
        if not isinstance(state, dict) or state.get("version") != FORMAT_VERSION:
            raise ValueError(f"{path} is not a classic density model (format {FORMAT_VERSION})")
        return cls(state["regressor"], state["background"], state["perspective"], state["cell_px"])


def median_background(frames: Sequence[Frame]) -> npt.NDArray[np.uint8]:
    """Per-pixel median of blurred grey frames: people move, the background stays."""
    grays = [cv2.GaussianBlur(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), (3, 3), 0) for f in frames]
    return np.asarray(np.median(np.stack(grays), axis=0), dtype=np.uint8)


def fit_classic(
    frames: Sequence[Frame],
    heads: Sequence[Points],
    *,
    perspective: FloatArray | None = None,
    roi: npt.NDArray[np.bool_] | None = None,
    use_background: bool | None = None,
    cell_px: int = CELL_PX,
    max_iter: int = 100,
    seed: int = 0,
) -> ClassicDensityEstimator:
    """Fit on frames with their head points; cells mostly outside `roi` are not annotated and
    are left out. The background model needs frames of one camera (default: when all frames
    have the same size)."""
    if len(frames) == 0 or len(frames) != len(heads):
        raise ValueError("need one array of head points per frame, and at least one frame")
    sizes = {(f.shape[1], f.shape[0]) for f in frames}
    if use_background is None:
        use_background = len(sizes) == 1 and len(frames) >= 3
    background = median_background(frames) if use_background else None
    model = ClassicDensityEstimator(None, background, perspective, cell_px)
    xs, ys = [], []
    for frame, points in zip(frames, heads, strict=True):
        features, grid = model.features(frame)
        size = (frame.shape[1], frame.shape[0])
        target = splat_gaussians(points, TARGET_SIGMA_PX, size, grid).reshape(-1)
        keep = np.ones(target.shape, dtype=bool)
        if roi is not None and roi.shape == frame.shape[:2]:
            keep = cell_coverage(roi, grid).reshape(-1) > 0.5
        xs.append(features[keep])
        ys.append(target[keep])
    regressor = HistGradientBoostingRegressor(
        max_iter=max_iter,
        learning_rate=0.1,
        max_leaf_nodes=31,
        l2_regularization=1.0,
        random_state=seed,
    )
    regressor.fit(np.concatenate(xs), np.concatenate(ys))
    return ClassicDensityEstimator(regressor, background, perspective, cell_px)
