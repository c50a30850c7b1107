"""The outbox and the service run on SQLite and, when a server answers, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import URL, Engine

from monitor.store.engine import create_store_engine
from tests.store.conftest import pg_admin, pg_url, store_url  # noqa: F401  (fixtures)


@pytest.fixture
def engine(store_url: URL) -> Iterator[Engine]:  # noqa: F811
    made = create_store_engine(store_url)
    yield made
    made.dispose()
