from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_harness import ApiFactory, api_factory
from tests.support.config import minimal_site

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def minimal_config() -> dict[str, Any]:
    return {"sites": [minimal_site()]}


@pytest.fixture
def make_api(tmp_path: Path) -> Iterator[ApiFactory]:
    """Builds and starts API servers on the in-test monitor; all closed after the test."""
    with api_factory(tmp_path) as make:
        yield make
