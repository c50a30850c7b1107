from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.robustness_bench import DEGRADATIONS, main, with_noise
from monitor.density.dataset import load_folder
from monitor.density.evaluate import evaluate_images
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.registry import default_model_path
from monitor.density.splits import select
from tests.density.synthetic import write_folder


@pytest.mark.parametrize("sigma", [pytest.param(10.0, id="10"), pytest.param(20.0, id="20")])
def test_noise_has_its_sigma_and_is_seeded(sigma: float) -> None:
    grey = np.full((200, 200, 3), 128, dtype=np.uint8)
    noisy = with_noise(sigma)(grey, np.random.default_rng(0))
    assert float(noisy.astype(np.float32).std()) == pytest.approx(sigma, rel=0.05)
    assert np.array_equal(noisy, with_noise(sigma)(grey, np.random.default_rng(0)))


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in DEGRADATIONS])
def test_each_degradation_keeps_the_frame_shape_and_only_clean_is_lossless(name: str) -> None:
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    out = DEGRADATIONS[name](frame, np.random.default_rng(2))
    assert out.shape == frame.shape
    assert out.dtype == np.uint8
    assert np.array_equal(out, frame) is (name == "clean")


def test_the_table_shows_every_degradation_and_the_clean_column_is_the_plain_evaluation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 16 stills: the split holds 2 of them out, as it would 15% of a real dataset.
    counts = [3, 5, 8, 4, 6, 9, 2, 7] * 2
    folder = write_folder(tmp_path / "shanghaitech_b", np.random.default_rng(3), counts, "images")
    assert main(["--data", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(name in lines[0] for name in DEGRADATIONS)
    model, dataset, clean_mae, clean_bias, *_ = next(
        line for line in lines if "shanghaitech_b" in line
    ).split()
    images = select(load_folder(folder), "val")
    clean = evaluate_images(OnnxDensityEstimator(default_model_path(), threads=1), images)
    assert (model, dataset) == ("crowd-density", "shanghaitech_b")
    assert (clean_mae, clean_bias) == (f"{clean.mae:.2f}", f"({clean.bias:+.1f})")
    assert "validation images: shanghaitech_b: 2" in lines[-1]
