"""A site's count checked against people counted by hand on its own frames: how many of the
clicked heads the site counts, and the count_scale that best corrects the model there. No I/O.

The model's counts are kept raw (before any count_scale), so a fit never compounds an
earlier correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from monitor.density.calibrate import fit_count_scale, leave_one_out_scaled

Point = tuple[float, float]


def heads_inside(
    heads: Sequence[Point], roi: Sequence[Point], exclude: Sequence[Sequence[Point]]
) -> int:
    """The heads the site counts: inside its region (edges included) and in no exclusion."""

    def inside(polygon: Sequence[Point], point: Point) -> bool:
        contour = np.asarray(polygon, dtype=np.float32).reshape(-1, 1, 2)
        return cv2.pointPolygonTest(contour, (float(point[0]), float(point[1])), False) >= 0

    return sum(
        1
        for head in heads
        if inside(roi, head) and not any(inside(area, head) for area in exclude if len(area) >= 3)
    )


@dataclass(frozen=True, slots=True)
class CheckedSample:
    model_count: float  # raw, before any count_scale
    true_count: int


@dataclass(frozen=True, slots=True)
class CountFit:
    scale: float  # the fitted count_scale
    current_scale: float
    mae_now: float  # mean absolute error with the count_scale in force
    mae_fitted: float  # with the fitted one, on the samples it was fitted to
    mae_held_out: float | None  # each sample with the scale fitted on the others (3+ samples)
    counted_now: list[float]  # per sample, as the site counts it now
    counted_fitted: list[float]


def fit_count_check(samples: Sequence[CheckedSample], current_scale: float) -> CountFit:
    """The count_scale the samples call for, and how far off the site is with each scale.
    Raises ValueError without samples."""
    if not samples:
        raise ValueError("no samples with heads counted")
    model = [s.model_count for s in samples]
    true = [float(s.true_count) for s in samples]
    scale = fit_count_scale(model, true)
    now = [current_scale * m for m in model]
    fitted = [scale * m for m in model]
    held_out = _mae(leave_one_out_scaled(model, true), true) if len(samples) >= 3 else None
    return CountFit(
        scale=scale,
        current_scale=current_scale,
        mae_now=_mae(now, true),
        mae_fitted=_mae(fitted, true),
        mae_held_out=held_out,
        counted_now=now,
        counted_fitted=fitted,
    )


def _mae(predicted: Sequence[float], true: Sequence[float]) -> float:
    return sum(abs(p - t) for p, t in zip(predicted, true, strict=True)) / len(true)


def error_at(samples: Sequence[CheckedSample], scale: float) -> float:
    """Mean absolute error of the count at `scale` on the samples. Raises ValueError without
    samples."""
    if not samples:
        raise ValueError("no samples with heads counted")
    return _mae([scale * s.model_count for s in samples], [float(s.true_count) for s in samples])
