from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from monitor.store.engine import create_store_engine
from monitor.store.upsert import insert_if_absent, upsert

_metadata = sa.MetaData()
_items = sa.Table(
    "upsert_items",
    _metadata,
    sa.Column("key", sa.String, primary_key=True),
    sa.Column("a", sa.Integer, nullable=False),
    sa.Column("b", sa.Integer, nullable=False),
)


@pytest.fixture
def engine(store_url: URL) -> Iterator[Engine]:
    created = create_store_engine(store_url)
    _metadata.create_all(created)
    yield created
    created.dispose()


def _rows(engine: Engine) -> list[tuple[str, int, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(_items).order_by(_items.c.key))]


def test_upsert_inserts_then_updates(engine: Engine) -> None:
    with engine.begin() as conn:
        upsert(conn, _items, {"key": "k", "a": 1, "b": 2}, ["key"])
        upsert(conn, _items, {"key": "other", "a": 0, "b": 0}, ["key"])
    with engine.begin() as conn:
        upsert(conn, _items, {"key": "k", "a": 3, "b": 4}, ["key"])

    assert _rows(engine) == [("k", 3, 4), ("other", 0, 0)]


def test_insert_if_absent_keeps_the_first(engine: Engine) -> None:
    with engine.begin() as conn:
        first = insert_if_absent(conn, _items, {"key": "k", "a": 1, "b": 2}, ["key"])
        second = insert_if_absent(conn, _items, {"key": "k", "a": 3, "b": 4}, ["key"])

    assert (first, second) == (True, False)
    assert _rows(engine) == [("k", 1, 2)]
