"""The append-only audit table and the one class that writes and reads it.

There is no update or delete here on purpose: entries are only ever appended.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.schema import RowId, metadata

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("actor", sa.String, nullable=False),
    sa.Column("action", sa.String, nullable=False),
    sa.Column("target", sa.String, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),  # compact JSON object
    sa.Column("ip", sa.String, nullable=False),
    sa.Index("ix_audit_log_at", "at"),
    sa.Index("ix_audit_log_actor_at", "actor", "at"),
    sa.Index("ix_audit_log_action_at", "action", "at"),
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: float
    actor: str
    action: str  # dotted: login.failed, alert.acknowledged, thresholds.changed, ...
    target: str = ""  # what it was done to: a site id, an alert id, a user name
    detail: dict[str, Any] = field(default_factory=dict)
    ip: str = ""
    id: int | None = None  # assigned by the store


@dataclass(frozen=True, slots=True)
class AuditQuery:
    actor: str | None = None
    action: str | None = None  # exact, or a prefix ending in '.' ("alert.")
    target: str | None = None
    since: float | None = None
    until: float | None = None
    limit: int = 100


class AuditLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[audit_log], checkfirst=True)

    def record(self, entry: AuditEntry) -> None:
        row = {
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "target": entry.target,
            "detail": json.dumps(entry.detail, separators=(",", ":"), sort_keys=True, default=str),
            "ip": entry.ip,
        }
        with self._engine.begin() as conn:
            conn.execute(audit_log.insert(), row)

    def entries(self, query: AuditQuery) -> list[AuditEntry]:
        """Newest first."""
        t = audit_log
        select = sa.select(t)
        if query.actor is not None:
            select = select.where(t.c.actor == query.actor)
        if query.action is not None:
            if query.action.endswith("."):
                # startswith escapes LIKE wildcards, so "_" in a filter matches only "_".
                select = select.where(t.c.action.startswith(query.action, autoescape=True))
            else:
                select = select.where(t.c.action == query.action)
        if query.target is not None:
            select = select.where(t.c.target == query.target)
        if query.since is not None:
            select = select.where(t.c.at >= query.since)
        if query.until is not None:
            select = select.where(t.c.at <= query.until)
        select = select.order_by(t.c.at.desc(), t.c.id.desc()).limit(query.limit)
        with self._engine.connect() as conn:
            rows = conn.execute(select).mappings().all()
        return [
            AuditEntry(
                at=r["at"],
                actor=r["actor"],
                action=r["action"],
                target=r["target"],
                detail=json.loads(r["detail"]),
                ip=r["ip"],
                id=r["id"],
            )
            for r in rows
        ]
