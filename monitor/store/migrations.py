"""Upgrades of databases written by earlier builds, one schema version at a time."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from monitor.store import schema

# Version 1 → 2: the alert response lifecycle, as nullable columns of `alerts`.
_V2_ALERT_COLUMNS = (
    "cleared_at",
    "overdue_at",
    "dispatched_at",
    "dispatched_by",
    "platform_id",
    "platform_name",
    "tier_minutes",
    "arrived_at",
    "arrived_by",
    "resolved_by",
    "outcome",
)
# Version 3 → 4: the crowd's motion per reading.
_V4_READING_COLUMNS = ("motion_speed", "motion_pressure", "motion_turbulent")


def migrate(conn: Connection, found: int) -> int:
    """Brings the database from version `found` as far as this build knows; the new version."""
    if found == 1:
        add_missing_columns(conn, schema.alerts, _V2_ALERT_COLUMNS)
        # Version 1 resolved alerts when the crowd cleared: that is both facts at once.
        t = schema.alerts
        conn.execute(
            t.update()
            .where((t.c.state == "resolved") & t.c.cleared_at.is_(None))
            .values(cleared_at=t.c.resolved_at, resolved_by="system", outcome="")
        )
        found = 2
    if found == 2:
        add_missing_columns(conn, schema.readings, ("quality",))
        found = 3
    if found == 3:
        add_missing_columns(conn, schema.readings, _V4_READING_COLUMNS)
        found = 4
    conn.execute(schema.schema_version.update().values(version=found))
    return found


def add_missing_columns(conn: Connection, table: sa.Table, names: tuple[str, ...]) -> None:
    """Adds `table`'s columns `names` where the database's table lacks them (nullable ones:
    the rows already there get NULL)."""
    present = {c["name"] for c in sa.inspect(conn).get_columns(table.name)}
    for name in names:
        if name in present:
            continue
        column = table.c[name]
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{name}" {kind}'))
