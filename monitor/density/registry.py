"""Build the configured density estimator by name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from monitor.config.app import EstimatorConfig
from monitor.density.base import DensityEstimator
from monitor.density.bounded import BoundedEstimator, default_slots

# The repo root is the parent of the `monitor` package; shipped models live in its `models/`.
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
DEFAULT_MODEL_FILE = "crowd-density.onnx"

KNOWN_ESTIMATORS: tuple[str, ...] = ("default", "onnx", "classic", "hog")


def default_model_path() -> Path:
    return MODELS_DIR / DEFAULT_MODEL_FILE


def _model_file(config: EstimatorConfig, fallback: Path | None) -> Path:
    if config.model_path is not None:
        path = Path(config.model_path).expanduser()
    elif fallback is not None:
        path = fallback
    else:
        raise ValueError(f"estimator '{config.name}' needs model_path")
    if not path.is_file():
        raise FileNotFoundError(f"estimator '{config.name}': model file not found: {path}")
    return path


def _build_default(config: EstimatorConfig) -> DensityEstimator:
    """The shipped network (or the ONNX file model_path names)."""
    return _build_onnx(config)


def _build_onnx(config: EstimatorConfig) -> DensityEstimator:
    from monitor.density.onnx_model import OnnxDensityEstimator

    return OnnxDensityEstimator(_model_file(config, default_model_path()), threads=config.threads)


def _build_classic(config: EstimatorConfig) -> DensityEstimator:
    from monitor.density.classic import ClassicDensityEstimator

    return ClassicDensityEstimator.load(_model_file(config, None))


def _build_hog(config: EstimatorConfig) -> DensityEstimator:
    from monitor.density.hog import HogDensityEstimator

    return HogDensityEstimator()


_BUILDERS: dict[str, Callable[[EstimatorConfig], DensityEstimator]] = {
    "default": _build_default,
    "onnx": _build_onnx,
    "classic": _build_classic,
    "hog": _build_hog,
}


def build_estimator(config: EstimatorConfig) -> DensityEstimator:
    """The estimator `config.name` names, taking at most `config.concurrent_frames` frames at
    once; raises ValueError for unknown names or missing paths."""
    builder = _BUILDERS.get(config.name)
    if builder is None:
        raise ValueError(
            f"unknown density estimator '{config.name}'; known: {', '.join(KNOWN_ESTIMATORS)}"
        )
    slots = config.concurrent_frames or default_slots(config.threads)
    return BoundedEstimator(builder(config), slots)
