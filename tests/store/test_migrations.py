"""Databases written by earlier builds open and upgrade."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.alerts.model import AlertState
from monitor.motion.measure import Motion
from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import QualityVerdict
from monitor.store import schema
from monitor.store.base import StoredReading
from monitor.store.sql import SqlStore

GOOD_PICTURE = QualityVerdict(
    issues=(), median=FrameQuality(noise=0.5, detail=0.9, blocking=1.125, spread=40.0)
)

V1_ALERTS = """
CREATE TABLE alerts (
    id VARCHAR PRIMARY KEY, site_id VARCHAR NOT NULL, metric VARCHAR NOT NULL,
    level VARCHAR NOT NULL, peak_level VARCHAR NOT NULL, peak_value FLOAT NOT NULL,
    state VARCHAR NOT NULL, raised_at FLOAT NOT NULL, updated_at FLOAT NOT NULL,
    acknowledged_at FLOAT, acknowledged_by VARCHAR, acknowledge_note TEXT NOT NULL,
    resolved_at FLOAT
)"""


def old_database(store_url: URL) -> sa.Engine:
    """An engine on an empty database, for a test to write an earlier build's tables into."""
    if store_url.get_backend_name() == "sqlite":
        Path(str(store_url.database)).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(store_url)


def test_version_1_database_is_migrated(store_url: URL) -> None:
    engine = old_database(store_url)
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


# {id}: how each backend numbers rows itself, as version 2 created them.
V2_READINGS = """
CREATE TABLE readings (
    id {id}, site_id VARCHAR NOT NULL, seq BIGINT NOT NULL,
    captured_at FLOAT NOT NULL, analysed_at FLOAT NOT NULL, count FLOAT NOT NULL,
    mean_density FLOAT NOT NULL, peak_density FLOAT NOT NULL, level VARCHAR NOT NULL,
    grid TEXT NOT NULL, frame_width INTEGER NOT NULL, frame_height INTEGER NOT NULL
)"""


V3_READINGS = V2_READINGS.replace(
    "frame_height INTEGER NOT NULL", "frame_height INTEGER NOT NULL, quality TEXT"
)
OLD_READINGS = {2: V2_READINGS, 3: V3_READINGS}


def readings_as_left_by(store_url: URL, version: int) -> None:
    """The readings table as schema `version` made it, holding one reading."""
    engine = old_database(store_url)
    with engine.begin() as conn:
        sqlite = store_url.get_backend_name() == "sqlite"
        row_id = "INTEGER PRIMARY KEY" if sqlite else "BIGSERIAL PRIMARY KEY"
        conn.exec_driver_sql(OLD_READINGS[version].format(id=row_id))
        conn.exec_driver_sql(
            "CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)"
        )
        conn.exec_driver_sql(f"INSERT INTO schema_version VALUES (1, {version})")
        conn.exec_driver_sql(
            "INSERT INTO readings (site_id, seq, captured_at, analysed_at, count, mean_density, "
            "peak_density, level, grid, frame_width, frame_height) "
            "VALUES ('wuyi', 7, 10.0, 10.5, 3.0, 0.1, 0.4, 'normal', '[[0.1]]', 640, 480)"
        )
    engine.dispose()


def upgraded(store_url: URL, **newer: Any) -> tuple[StoredReading, StoredReading, int]:
    """Opens the old database (which upgrades it), reads its reading back and stores a newer
    one with `newer` changed: (old, newer, the schema version now)."""
    store = SqlStore(store_url)
    try:
        [old] = store.readings("wuyi", None, None, limit=10)
        store.add_readings([dataclasses.replace(old, seq=8, **newer)])
        stored = store.readings("wuyi", None, None, limit=10)[-1]
        with store.engine.connect() as conn:
            version = conn.execute(sa.select(schema.schema_version.c.version)).scalar_one()
    finally:
        store.close()
    return old, stored, version


def test_version_2_readings_gain_a_quality_none_of_them_had(store_url: URL) -> None:
    readings_as_left_by(store_url, 2)
    old, newer, version = upgraded(store_url, quality=GOOD_PICTURE)
    assert version == schema.SCHEMA_VERSION
    assert (old.seq, old.count, old.quality) == (7, 3.0, None)
    assert newer.quality == GOOD_PICTURE


def test_version_3_readings_gain_a_motion_none_of_them_had(store_url: URL) -> None:
    readings_as_left_by(store_url, 3)
    moving = Motion(speed_m_s=0.8, pressure=0.031, turbulent=True)
    old, newer, version = upgraded(store_url, motion=moving)
    assert version == schema.SCHEMA_VERSION == 4
    assert (old.seq, old.count, old.motion) == (7, 3.0, None)
    assert newer.motion == moving
