"""Site settings changed from the page: the current overrides and their history.

The YAML bootstraps a deployment; what a supervisor changes at run time (source, region,
exclusions, calibration) is kept here as the changed SiteConfig fields, and laid over the
YAML's site at start. Every change is also appended to a history with who, when, old and
new. Thresholds have their own tables in the core store.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.schema import RowId, metadata
from monitor.store.upsert import upsert

site_overrides = sa.Table(
    "site_overrides",
    metadata,
    sa.Column("site_id", sa.String, primary_key=True),
    sa.Column("json", sa.Text, nullable=False),  # {field: value} over the YAML's site
)

site_changes = sa.Table(
    "site_changes",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column(
        "kind", sa.String, nullable=False
    ),  # region, calibration, source, picture, motion, count
    sa.Column("old_json", sa.Text, nullable=False),
    sa.Column("new_json", sa.Text, nullable=False),
    sa.Index("ix_site_changes_site_at", "site_id", "at"),
)

Fields = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SiteChange:
    site_id: str
    at: float
    changed_by: str
    kind: str
    old: Fields  # the changed fields before
    new: Fields  # and after


def _dump(fields: Fields) -> str:
    return json.dumps(fields, separators=(",", ":"), sort_keys=True)


class SiteOverrides:
    """Thread-safe: every call is one short transaction on the engine's pool."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Read-merge-write of one row: SQLite's deferred transactions would let two
        # writers both read the old row. PostgreSQL also takes an advisory lock below, for
        # other processes.
        self._merge_lock = threading.Lock()
        metadata.create_all(engine, tables=[site_overrides, site_changes], checkfirst=True)

    def record(self, change: SiteChange) -> None:
        """Appends the change and merges its new fields into the site's overrides, atomically."""
        t = site_overrides
        with self._merge_lock, self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # Serialises concurrent changes of one site so neither merge is lost.
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext(:id))"), {"id": change.site_id}
                )
            text = conn.execute(sa.select(t.c.json).where(t.c.site_id == change.site_id)).scalar()
            current: Fields = json.loads(text) if text else {}
            upsert(
                conn,
                t,
                {"site_id": change.site_id, "json": _dump(current | change.new)},
                ["site_id"],
            )
            conn.execute(
                site_changes.insert().values(
                    site_id=change.site_id,
                    at=change.at,
                    changed_by=change.changed_by,
                    kind=change.kind,
                    old_json=_dump(change.old),
                    new_json=_dump(change.new),
                )
            )

    def current(self) -> dict[str, Fields]:
        """Overrides by site id."""
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(site_overrides.c.site_id, site_overrides.c.json)).all()
        return {site_id: json.loads(text) for site_id, text in rows}

    def changes(self, site_id: str, limit: int = 100) -> list[SiteChange]:
        """Newest first."""
        t = site_changes
        query = (
            sa.select(t.c.site_id, t.c.at, t.c.changed_by, t.c.kind, t.c.old_json, t.c.new_json)
            .where(t.c.site_id == site_id)
            .order_by(t.c.at.desc(), t.c.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            SiteChange(
                row.site_id,
                row.at,
                row.changed_by,
                row.kind,
                json.loads(row.old_json),
                json.loads(row.new_json),
            )
            for row in rows
        ]
