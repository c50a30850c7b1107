from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pytest

from monitor.cli import density_commands

pytest.importorskip("torch", reason="training needs the train extra (torch)")


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="crowd-monitor")
    density_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("datasets", [pytest.param(["mall", "shanghaitech_b"], id="mall+shtech-b")])
def test_train_export_and_evaluate_tiny_subset(
    datasets: list[str], crowd_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tiny.onnx"
    argv = [
        "train",
        "--data",
        str(crowd_data),
        "--out",
        str(out),
        "--steps",
        "2",
        "--batch",
        "2",
        "--crop",
        "128",
        "--limit",
        "2",
        "--datasets",
        *datasets,
    ]
    assert run(argv) == 0
    assert out.is_file()
    assert out.with_suffix(".json").is_file()
    table = capsys.readouterr().out
    assert all(name in table for name in datasets)

    from monitor.density.dataset import load_folder
    from monitor.density.evaluate import evaluate_images
    from monitor.density.onnx_model import OnnxDensityEstimator
    from monitor.density.roi import Roi
    from monitor.density.splits import select

    folder = load_folder(crowd_data / "mall")
    assert folder.roi_mask is not None
    metrics = evaluate_images(
        OnnxDensityEstimator(out), select(folder, "val")[:2], Roi(mask=folder.roi_mask)
    )
    assert metrics.n == 2
    assert np.isfinite(metrics.mae)


SCALE_CHECK_IMAGES = 8


@pytest.mark.data
@pytest.mark.parametrize(
    ("dataset", "factor"),
    [
        pytest.param("shanghaitech_b", 0.8, id="shtech-b-smaller"),
        pytest.param("shanghaitech_b", 1.25, id="shtech-b-larger"),
    ],
)
def test_shipped_model_count_stable_across_input_sizes(
    dataset: str, factor: float, crowd_data: Path
) -> None:
    """A moderate resize changes pixels per head, not the crowd: the count must follow.

    Judged over several images: one image's count can move by a fifth on a resize (a
    half-visible head at the border, a blob that reads as one head or two), while a model
    that ignored scale would be off on most of them."""
    import cv2

    from monitor.config.app import EstimatorConfig
    from monitor.density.dataset import load_folder, read_image
    from monitor.density.registry import build_estimator
    from monitor.density.splits import select

    estimator = build_estimator(EstimatorConfig())
    ratios = []
    for image in select(load_folder(crowd_data / dataset), "val")[:SCALE_CHECK_IMAGES]:
        frame = read_image(image.path)
        resized = np.asarray(
            cv2.resize(frame, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA),
            dtype=np.uint8,
        )
        ratios.append(estimator.estimate(resized).count / estimator.estimate(frame).count)
    # A model blind to scale would give 1.25**2 = 1.56 and 0.8**2 = 0.64. Ours are not
    # blind, but over-count upscaled frames: median 1.148 on these images for release 5,
    # 1.153 for release 6. Training the decoder on upscaled stills too did not remove it (the
    # model card's stages 17-18 and known limits): the frozen backbone's features are the cause.
    assert float(np.median(ratios)) == pytest.approx(1.0, abs=0.2), ratios
    assert min(ratios) > 0.6, ratios
    assert max(ratios) < 1.4, ratios
