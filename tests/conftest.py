from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.config import minimal_site

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def minimal_config() -> dict[str, Any]:
    return {"sites": [minimal_site()]}
