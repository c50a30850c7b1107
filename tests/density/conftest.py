from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.registry import default_model_path

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def crowd_data() -> Path:
    """The shared training data (env CROWD_DATA, default ../shared/data from the repo root)."""
    root = Path(os.environ.get("CROWD_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (root / "mall").is_dir():
        pytest.skip(f"crowd data not found at {root} (set CROWD_DATA)")
    return root


@pytest.fixture(scope="session")
def shipped() -> OnnxDensityEstimator:
    """The model the repo ships; its absence is a failure, never a skip."""
    path = default_model_path()
    if not path.is_file():
        pytest.fail(f"the shipped model {path} is missing")
    return OnnxDensityEstimator(path)
