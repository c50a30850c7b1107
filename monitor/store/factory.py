"""Where the service's store lives, from its settings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from monitor.store.sql import SqlStore

DEFAULT_DATABASE_FILE = "crowd-monitor.db"


def default_database_url(data_dir: Path) -> URL:
    # URL.create rather than an f-string: the path needs no escaping this way.
    return URL.create("sqlite", database=str(data_dir / DEFAULT_DATABASE_FILE))


def open_store(database_url: str | None, data_dir: Path) -> SqlStore:
    """The configured database, or SQLite in `data_dir` when none is configured.

    A blank URL counts as none: that is what an empty environment variable gives.
    """
    if database_url is None or not database_url.strip():
        return SqlStore(default_database_url(data_dir))
    return SqlStore(database_url.strip())
