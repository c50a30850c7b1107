"""Operators' acknowledgements of camera faults: who has taken a dead or poor camera in hand.

A command center with hundreds of cameras always has a few down for days, with a repair
booked. Unacknowledged, they bury the camera that went dark a minute ago. An acknowledgement
names one fault episode (its kind and since when, as the live page shows it): when that
camera recovers and fails again, the new fault is unacknowledged again.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.migrations import add_missing_columns
from monitor.store.schema import RowId, metadata

fault_acks = sa.Table(
    "fault_acks",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),  # offline, starting, stalled, picture
    sa.Column("since", sa.Double, nullable=False),  # when the fault began
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("by", sa.String, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    # When the camera is promised back (a booked repair); the acknowledgement lapses then.
    sa.Column("expected_back", sa.Double, nullable=True),
    sa.Index("ix_fault_acks_site_id", "site_id", "id"),
)


@dataclass(frozen=True, slots=True)
class FaultAck:
    site_id: str
    kind: str
    since: float
    at: float
    by: str
    note: str
    expected_back: float | None = None


class FaultAcks:
    """Every acknowledgement is kept; the latest of each site is the one in force, and is
    also held in memory: every live page's snapshot asks for them, on the event loop."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[fault_acks], checkfirst=True)
        with engine.begin() as conn:  # a table from before `expected_back`
            add_missing_columns(conn, fault_acks, ("expected_back",))
        self._lock = threading.Lock()
        self._latest = {ack.site_id: ack for ack in self._stored_latest()}

    def record(self, ack: FaultAck) -> None:
        with self._lock, self._engine.begin() as conn:
            conn.execute(sa.insert(fault_acks).values(asdict(ack)))
            self._latest[ack.site_id] = ack

    def latest(self) -> list[FaultAck]:
        """The latest acknowledgement of each site, by site id (from memory)."""
        with self._lock:
            return [self._latest[site_id] for site_id in sorted(self._latest)]

    def _stored_latest(self) -> list[FaultAck]:
        t = fault_acks
        newest = (
            sa.select(t.c.site_id, sa.func.max(t.c.id).label("id")).group_by(t.c.site_id).subquery()
        )
        query = (
            sa.select(t.c.site_id, t.c.kind, t.c.since, t.c.at, t.c.by, t.c.note, t.c.expected_back)
            .join(newest, t.c.id == newest.c.id)
            .order_by(t.c.site_id)
        )
        with self._engine.connect() as conn:
            return [FaultAck(*row) for row in conn.execute(query)]

    def history(self, site_id: str, limit: int = 100) -> list[FaultAck]:
        """A site's acknowledgements, newest first."""
        if not 1 <= limit <= 10_000:
            raise ValueError(f"limit must be 1-10000, got {limit}")
        t = fault_acks
        query = (
            sa.select(t.c.site_id, t.c.kind, t.c.since, t.c.at, t.c.by, t.c.note, t.c.expected_back)
            .where(t.c.site_id == site_id)
            .order_by(t.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return [FaultAck(*row) for row in conn.execute(query)]
