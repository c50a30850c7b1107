from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.config.app import EstimatorConfig
from monitor.density import registry
from monitor.density.base import DensityEstimator
from monitor.density.bounded import BoundedEstimator
from monitor.density.hog import HogDensityEstimator


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param((480, 640, 3), id="vga"),
        pytest.param((120, 160, 3), id="small-upscaled"),
        pytest.param((301, 517, 3), id="odd-size"),
    ],
)
def test_hog_blank_frame_is_empty(shape: tuple[int, int, int]) -> None:
    estimator = HogDensityEstimator()
    density = estimator.estimate(np.full(shape, 128, dtype=np.uint8))
    assert density.frame_size == (shape[1], shape[0])
    assert density.values.shape == (-(-shape[0] // 8), -(-shape[1] // 8))
    assert density.count == 0.0
    assert isinstance(estimator, DensityEstimator)
    assert estimator.name == "hog"


def test_hog_detections_become_unit_masses(monkeypatch: pytest.MonkeyPatch) -> None:
    estimator = HogDensityEstimator()
    boxes = np.array([[100, 100, 64, 128], [400, 200, 80, 160]], dtype=np.float64)
    monkeypatch.setattr(estimator, "detect", lambda frame: boxes)
    density = estimator.estimate(np.zeros((480, 640, 3), dtype=np.uint8))
    assert density.count == pytest.approx(2.0, abs=1e-4)
    row, col = np.unravel_index(int(np.argmax(density.values)), density.values.shape)
    assert (int(row), int(col)) in {
        ((100 + 64) // 8, (100 + 32) // 8),
        ((200 + 80) // 8, (400 + 40) // 8),
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [pytest.param("hog", HogDensityEstimator, id="hog")],
)
def test_registry_builds_by_name(name: str, expected: type) -> None:
    built = registry.build_estimator(EstimatorConfig(name=name))
    assert isinstance(built, BoundedEstimator)
    assert isinstance(built.inner, expected)
    assert built.name == name


def test_registry_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="known: default, onnx, classic, hog"):
        registry.build_estimator(EstimatorConfig(name="nope"))


@pytest.mark.parametrize(
    "name", [pytest.param("classic", id="classic"), pytest.param("onnx", id="onnx")]
)
def test_registry_reports_missing_model_files(name: str, tmp_path: Path) -> None:
    config = EstimatorConfig(name=name, model_path=str(tmp_path / "missing.bin"))
    with pytest.raises(FileNotFoundError, match=r"missing\.bin"):
        registry.build_estimator(config)


def test_registry_classic_needs_a_model_path() -> None:
    with pytest.raises(ValueError, match="needs model_path"):
        registry.build_estimator(EstimatorConfig(name="classic"))


def test_default_without_the_shipped_model_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(registry, "MODELS_DIR", tmp_path)
    with pytest.raises(FileNotFoundError, match=r"crowd-density\.onnx"):
        registry.build_estimator(EstimatorConfig())
