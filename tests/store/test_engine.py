from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.store.engine import SQLITE_BUSY_TIMEOUT_S, create_store_engine


def _pragma(url: str, name: str) -> object:
    engine = create_store_engine(url)
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        pytest.param("journal_mode", "wal", id="wal"),
        pytest.param("foreign_keys", 1, id="foreign-keys"),
        pytest.param("busy_timeout", int(SQLITE_BUSY_TIMEOUT_S * 1000), id="busy-timeout"),
        pytest.param("synchronous", 1, id="synchronous-normal"),
    ],
)
def test_sqlite_connections_are_set_up(tmp_path: Path, pragma: str, expected: object) -> None:
    assert _pragma(f"sqlite:///{tmp_path}/store.db", pragma) == expected


def test_sqlite_parent_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "store.db"
    engine = create_store_engine(URL.create("sqlite", database=str(path)))
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    finally:
        engine.dispose()

    assert path.is_file()


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("sqlite://", id="sqlite-memory-implicit"),
        pytest.param("sqlite:///:memory:", id="sqlite-memory-explicit"),
    ],
)
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="needs a file"):
        create_store_engine(url)


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        create_store_engine("mysql://user:secret@db/crowd")
