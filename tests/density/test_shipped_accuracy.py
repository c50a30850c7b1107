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

import numpy as np
import pytest

from monitor.density.dataset import load_folder, read_image
from monitor.density.evaluate import count_density, count_metrics
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.roi import folder_roi
from monitor.density.splits import select


@pytest.mark.parametrize(
    ("dataset", "every", "noise_sigma", "max_mae", "max_relative_bias"),
    [
        pytest.param("mall", 8, 0.0, 3.5, 0.09, id="mall-20-frames"),
        pytest.param("shanghaitech_b", 5, 0.0, 25.0, 0.2, id="shanghaitech-b-12-images"),
        # Night footage is grainy: noise must neither add people nor hide them. Release 5,
        # trained on clean images only, fails both (Mall MAE 12.3 and bias +35%, ShanghaiTech B
        # bias +16%); release 6 gives 3.2 / +2% and 12.4 / +8% (model card, stage 16).
        pytest.param("mall", 8, 10.0, 4.5, 0.09, id="mall-20-frames-sensor-noise"),
        pytest.param(
            "shanghaitech_b", 5, 10.0, 25.0, 0.12, id="shanghaitech-b-12-images-sensor-noise"
        ),
    ],
)
def test_shipped_model_counts_held_out_images(
    crowd_data: Path,
    shipped: OnnxDensityEstimator,
    dataset: str,
    every: int,
    noise_sigma: float,
    max_mae: float,
    max_relative_bias: float,
) -> None:
    folder = load_folder(crowd_data / dataset)
    roi = folder_roi(folder)
    rng = np.random.default_rng(0)
    predicted, true = [], []
    for image in select(folder, "val")[::every]:
        frame = read_image(image.path)
        if noise_sigma > 0:
            grain = rng.normal(0.0, noise_sigma, frame.shape)
            frame = np.clip(frame.astype(np.float32) + grain, 0, 255).astype(np.uint8)
        predicted.append(count_density(shipped.estimate(frame), roi))
        true.append(image.true_count)
    metrics = count_metrics(predicted, true)
    assert metrics.mae <= max_mae, metrics
    assert abs(metrics.bias) <= max_relative_bias * metrics.mean_true, metrics
