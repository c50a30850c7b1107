"""The shipped model on held-out real images: a guard against shipping a broken model.

Blank and noise frames (test_onnx_model.py) catch a model that sees people everywhere; this
catches one that sees nobody, counts at the wrong scale, or ignores the ROI. The bounds sit
above the model card's validation error (Mall 2.4, ShanghaiTech B 14.1) and well below what
a model that predicts nothing scores (the mean count: 35 and 115). Counting Mall's whole
frame instead of its ROI gives MAE 4.3 and bias +4.0 on these 20 frames (2.3 and +1.3 inside
it), so the Mall bounds also fail when the region is ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.density.dataset import load_folder
from monitor.density.evaluate import evaluate_images
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.roi import folder_roi
from monitor.density.splits import select


@pytest.mark.parametrize(
    ("dataset", "every", "max_mae", "max_relative_bias"),
    [
        pytest.param("mall", 8, 3.5, 0.09, id="mall-20-frames"),
        pytest.param("shanghaitech_b", 5, 25.0, 0.2, id="shanghaitech-b-12-images"),
    ],
)
def test_shipped_model_counts_held_out_images(
    crowd_data: Path,
    shipped: OnnxDensityEstimator,
    dataset: str,
    every: int,
    max_mae: float,
    max_relative_bias: float,
) -> None:
    folder = load_folder(crowd_data / dataset)
    images = select(folder, "val")[::every]
    metrics = evaluate_images(shipped, images, folder_roi(folder))
    assert metrics.mae <= max_mae, metrics
    assert abs(metrics.bias) <= max_relative_bias * metrics.mean_true, metrics
