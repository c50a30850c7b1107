"""Regions of interest: a PNG mask or a JSON polygon, and counting inside them."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import DensityMap, FloatArray
from monitor.density.dataset import CrowdFolder, DatasetError, load_mask

BoolMask = npt.NDArray[np.bool_]


class RoiError(DatasetError):
    """An ROI file that cannot be read or used."""


def polygon_mask(polygon: npt.ArrayLike, frame_size: tuple[int, int]) -> BoolMask:
    """Pixels inside the polygon [[x, y], ...] on a frame of (width, height)."""
    points = np.asarray(polygon, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 3:
        raise RoiError("an ROI polygon needs 3 or more [x, y] points")
    width, height = frame_size
    canvas = np.zeros((height, width), dtype=np.uint8)
    cv2.fillPoly(canvas, [np.round(points).astype(np.int32)], 255)
    mask: BoolMask = canvas > 0
    return mask


class Roi:
    """A mask of a fixed size, or a polygon rasterised at each frame's size."""

    def __init__(self, *, mask: BoolMask | None = None, polygon: list[list[float]] | None = None):
        if (mask is None) == (polygon is None):
            raise ValueError("give a mask or a polygon")
        self._mask = mask
        self._polygon = polygon

    def mask_for(self, frame_size: tuple[int, int]) -> BoolMask:
        if self._polygon is not None:
            return polygon_mask(self._polygon, frame_size)
        assert self._mask is not None
        height, width = self._mask.shape
        if (width, height) != frame_size:
            raise RoiError(
                f"ROI mask is {width}x{height} but the frame is {frame_size[0]}x{frame_size[1]}"
            )
        return self._mask


def folder_roi(folder: CrowdFolder) -> Roi | None:
    """The annotated region of a folder in the shared format (its roi_mask.png), if any."""
    return Roi(mask=folder.roi_mask) if folder.roi_mask is not None else None


def load_roi(path: Path | str) -> Roi:
    """`.json`: a polygon [[x, y], ...] in frame pixels; anything else: a mask image."""
    path = Path(path)
    if not path.is_file():
        raise RoiError(f"ROI file not found: {path}")
    if path.suffix.lower() == ".json":
        try:
            polygon = json.loads(path.read_text())
            points = np.asarray(polygon, dtype=np.float64)
        except (OSError, ValueError, TypeError) as error:
            raise RoiError(f"{path}: not a JSON polygon [[x, y], ...]: {error}") from error
        if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 3:
            raise RoiError(f"{path}: an ROI polygon needs 3 or more [x, y] points")
        return Roi(polygon=points.tolist())
    try:
        return Roi(mask=load_mask(path))
    except DatasetError as error:
        raise RoiError(str(error)) from error


def cell_coverage(mask: BoolMask, grid_shape: tuple[int, int]) -> FloatArray:
    """Fraction of each density cell that lies inside the mask."""
    rows, cols = grid_shape
    coverage = cv2.resize(mask.astype(np.float32), (cols, rows), interpolation=cv2.INTER_AREA)
    result: FloatArray = np.clip(coverage, 0.0, 1.0).astype(np.float32)
    return result


def count_in_mask(density: DensityMap, mask: BoolMask) -> float:
    """People inside the mask: each cell contributes in proportion to its area inside."""
    height, width = mask.shape
    if (width, height) != density.frame_size:
        raise RoiError(f"ROI is {width}x{height} but the frame is {density.frame_size}")
    coverage = cell_coverage(mask, density.values.shape)
    return float((density.values.astype(np.float64) * coverage).sum())
