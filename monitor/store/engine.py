"""Engines for the two supported backends, each set up for many threads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

SUPPORTED_BACKENDS = ("sqlite", "postgresql")

# Writers queue on SQLite's single write lock; writes are short, so waiting this long
# only happens when something is badly wrong, and then failing is the better answer.
SQLITE_BUSY_TIMEOUT_S = 30.0


def create_store_engine(url: str | URL) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        # A restarted server leaves dead connections in the pool; ping before use.
        return sa.create_engine(parsed, pool_pre_ping=True)
    raise ValueError(
        f"unsupported database {backend!r} in {parsed.render_as_string(hide_password=True)}; "
        f"supported: {', '.join(SUPPORTED_BACKENDS)}"
    )


def _sqlite_engine(url: URL) -> Engine:
    database = url.database
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        # Each pooled connection would get its own empty database.
        raise ValueError("the SQLite store needs a file: sqlite:///path/to/store.db")
    if not url.query.get("uri"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
    )
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # WAL lets the API read while the writer thread writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL is corruption-safe; a power cut may lose the last commits only.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()
