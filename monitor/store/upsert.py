"""INSERT ... ON CONFLICT for both backends: atomic, so concurrent writers cannot race."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    # Both dialect Insert classes have the same on_conflict_* API.
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise ValueError(f"no upsert for dialect {name!r}")


def upsert(
    conn: sa.Connection, table: sa.Table, values: Mapping[str, Any], key: Sequence[str]
) -> None:
    """Inserts the row, or updates every non-key column of the row with the same key."""
    stmt = _insert(conn, table).values(dict(values))
    updates = {name: stmt.excluded[name] for name in values if name not in key}
    conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=updates))


def insert_if_absent(
    conn: sa.Connection, table: sa.Table, values: Mapping[str, Any], key: Sequence[str]
) -> bool:
    """Inserts the row unless one with the same key exists; True when inserted."""
    stmt = (
        _insert(conn, table)
        .values(dict(values))
        .on_conflict_do_nothing(index_elements=list(key))
        # rowcount is -1 here on psycopg (SQLAlchemy fetches the key); RETURNING is portable.
        .returning(*(table.c[name] for name in key))
    )
    return conn.execute(stmt).first() is not None
