"""Counting accuracy of an estimator on annotated images: MAE, RMSE and bias."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.density.base import DensityEstimator, DensityMap
from monitor.density.dataset import CrowdImage, read_image
from monitor.density.roi import Roi, count_in_mask


@dataclass(frozen=True)
class Metrics:
    n: int
    mae: float
    rmse: float
    # Mean of (predicted - true): the part of the error a per-site count_scale can remove.
    bias: float
    mean_true: float


def count_metrics(predicted: Sequence[float], true: Sequence[float]) -> Metrics:
    if len(predicted) != len(true):
        raise ValueError("predicted and true counts differ in length")
    n = len(true)
    if n == 0:
        return Metrics(0, math.nan, math.nan, math.nan, math.nan)
    errors = [p - t for p, t in zip(predicted, true, strict=True)]
    return Metrics(
        n=n,
        mae=sum(abs(e) for e in errors) / n,
        rmse=math.sqrt(sum(e * e for e in errors) / n),
        bias=sum(errors) / n,
        mean_true=sum(true) / n,
    )


def count_density(density: DensityMap, roi: Roi | None) -> float:
    if roi is None:
        return density.count
    return count_in_mask(density, roi.mask_for(density.frame_size))


def predict_counts(
    estimator: DensityEstimator, images: Iterable[CrowdImage], roi: Roi | None = None
) -> list[float]:
    return [count_density(estimator.estimate(read_image(image.path)), roi) for image in images]


def evaluate_images(
    estimator: DensityEstimator, images: Sequence[CrowdImage], roi: Roi | None = None
) -> Metrics:
    true = [image.true_count for image in images]
    return count_metrics(predict_counts(estimator, images, roi), true)
