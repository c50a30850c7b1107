from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def crowd_data() -> Path:
    """The shared training data (env CROWD_DATA, default ../shared/data from the repo root)."""
    root = Path(os.environ.get("CROWD_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (root / "mall").is_dir():
        pytest.skip(f"crowd data not found at {root} (set CROWD_DATA)")
    return root
