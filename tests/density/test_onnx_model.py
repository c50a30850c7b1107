from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.config.app import EstimatorConfig
from monitor.density.base import DensityEstimator
from monitor.density.bounded import BoundedEstimator
from monitor.density.onnx_model import OnnxDensityEstimator, network_input_size
from monitor.density.registry import build_estimator


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param((640, 480), (640, 480), id="vga-unchanged"),
        pytest.param((1024, 768), (1024, 768), id="shtech-b-unchanged"),
        pytest.param((643, 479), (640, 480), id="snapped-to-16"),
        pytest.param((4096, 2048), (2048, 1024), id="capped"),
        pytest.param((5, 5), (16, 16), id="tiny"),
    ],
)
def test_network_input_size(frame: tuple[int, int], expected: tuple[int, int]) -> None:
    assert network_input_size(frame, 16, 2048) == expected


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param((480, 640, 3), id="vga"),
        pytest.param((479, 643, 3), id="odd-size"),
        pytest.param((96, 128, 3), id="small"),
    ],
)
@pytest.mark.parametrize(
    "fill",
    [pytest.param(0, id="black"), pytest.param(128, id="grey"), pytest.param(255, id="white")],
)
def test_shipped_model_sees_nobody_on_blank_frames(
    shipped: OnnxDensityEstimator, shape: tuple[int, int, int], fill: int
) -> None:
    density = shipped.estimate(np.full(shape, fill, dtype=np.uint8))
    assert density.frame_size == (shape[1], shape[0])
    assert np.isfinite(density.values).all()
    assert (density.values >= 0).all()
    assert density.count < 1.0


@pytest.mark.parametrize(
    ("level", "sigma"),
    [
        pytest.param(40, 10, id="dark-night-noise"),
        pytest.param(128, 10, id="grey-sensor-noise"),
        pytest.param(128, 15, id="grey-high-gain-noise"),
        pytest.param(128, 30, id="grey-night-gain-noise"),
        pytest.param(40, 30, id="dark-night-gain-noise"),
    ],
)
def test_shipped_model_sees_nobody_in_sensor_noise(
    shipped: OnnxDensityEstimator, level: int, sigma: float
) -> None:
    # An empty scene at night is mostly sensor noise; counting people in it raises false alerts.
    noise = np.random.default_rng(0).normal(level, sigma, (480, 640, 3))
    frame = np.clip(noise, 0, 255).astype(np.uint8)
    assert shipped.estimate(frame).count < 1.0


def test_shipped_model_on_noise_is_finite(shipped: OnnxDensityEstimator) -> None:
    frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    density = shipped.estimate(frame)
    assert np.isfinite(density.count)
    assert density.values.shape == (60, 80)


def test_default_estimator_is_the_shipped_model() -> None:
    estimator = build_estimator(EstimatorConfig())
    assert isinstance(estimator, BoundedEstimator)
    assert isinstance(estimator.inner, OnnxDensityEstimator)
    assert isinstance(estimator, DensityEstimator)


def test_bad_model_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"nope")
    with pytest.raises(ValueError, match="cannot load density model"):
        OnnxDensityEstimator(path)
