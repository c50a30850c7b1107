"""A version 1 database (before the alert response lifecycle) opens and upgrades."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.alerts.model import AlertState
from monitor.store import schema
from monitor.store.sql import SqlStore

V1_ALERTS = """
CREATE TABLE alerts (
    id VARCHAR PRIMARY KEY, site_id VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    level VARCHAR NOT NULL, peak_level VARCHAR NOT NULL, peak_value FLOAT NOT NULL,
    state VARCHAR NOT NULL, raised_at FLOAT NOT NULL, updated_at FLOAT NOT NULL,
    acknowledged_at FLOAT, acknowledged_by VARCHAR, acknowledge_note TEXT NOT NULL,
    resolved_at FLOAT
)"""


def test_version_1_database_is_migrated(store_url: URL) -> None:
    if store_url.get_backend_name() == "sqlite":
        Path(str(store_url.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(V1_ALERTS)
        conn.exec_driver_sql(
            "CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)"
        )
        conn.exec_driver_sql("INSERT INTO schema_version VALUES (1, 1)")
        conn.exec_driver_sql(
            "INSERT INTO alerts VALUES ('old', 'wuyi', 'count', 'normal', 'high', 5.0, "
            "'resolved', 10.0, 20.0, 12.0, 'li', '', 20.0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO alerts VALUES ('open', 'wuyi', 'count', 'high', 'high', 5.0, "
            "'open', 30.0, 30.0, NULL, NULL, '', NULL)"
        )
    engine.dispose()

    store = SqlStore(store_url)
    try:
        old, still_open = store.alert("old"), store.alert("open")
        with store.engine.connect() as conn:
            version = conn.execute(sa.select(schema.schema_version.c.version)).scalar_one()
    finally:
        store.close()
    assert version == schema.SCHEMA_VERSION
    assert old is not None
    assert still_open is not None
    assert (old.state, old.cleared_at, old.resolved_by) == (AlertState.RESOLVED, 20.0, "system")
    assert (still_open.state, still_open.cleared_at, still_open.outcome) == (
        AlertState.OPEN,
        None,
        "",
    )
