from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.store import schema
from monitor.store.engine import create_store_engine
from monitor.store.sql import SchemaVersionError, SqlStore


def _versions(url: URL) -> list[tuple[int, int]]:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.select(schema.schema_version))]
    finally:
        engine.dispose()


def test_opening_twice_keeps_one_version_row(store_url: URL) -> None:
    for _ in range(2):
        SqlStore(store_url).close()

    assert _versions(store_url) == [(1, schema.SCHEMA_VERSION)]


def test_all_tables_are_created(store: SqlStore) -> None:
    names = set(sa.inspect(store.engine).get_table_names())

    assert names >= {
        "schema_version",
        "readings",
        "alerts",
        "alert_events",
        "threshold_changes",
        "current_thresholds",
    }


def test_a_database_of_another_schema_version_is_refused(store_url: URL) -> None:
    SqlStore(store_url).close()
    engine = create_store_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.update(schema.schema_version).values(version=99))
    finally:
        engine.dispose()

    with pytest.raises(SchemaVersionError, match="99"):
        SqlStore(store_url)
