"""Every store test runs on SQLite and, when a server answers, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from monitor.store.sql import SqlStore

PG_URL_ENV = "CROWD_MONITOR_TEST_PG"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An autocommit engine on the test server; skips when none answers."""
    url = make_url(os.environ.get(PG_URL_ENV, DEFAULT_PG_URL))
    engine = sa.create_engine(
        url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        pytest.skip(
            f"no PostgreSQL at {url.render_as_string(hide_password=True)} "
            f"(set {PG_URL_ENV}): {reason}"
        )
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: Engine) -> Iterator[URL]:
    """A URL whose connections see only a fresh schema, dropped afterwards.

    Other sessions share the server, so each test gets its own schema via search_path.
    """
    schema = f"crowd_monitor_test_{uuid.uuid4().hex[:16]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    finally:
        with pg_admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> URL:
    if request.param == "sqlite":
        return URL.create("sqlite", database=str(tmp_path / "db" / "store.db"))
    url: URL = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: URL) -> Iterator[SqlStore]:
    opened = SqlStore(store_url)
    yield opened
    opened.close()
