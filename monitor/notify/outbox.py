"""The delivery log: one row per (endpoint, event), pending until delivered or failed.

It is the outbox too. An event is written here before anything is sent, so a receiver that
is down, or a monitor restarted mid-retry, loses nothing: the sender picks up the pending
rows where they stand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.notify.events import Notification
from monitor.store.schema import RowId, metadata
from monitor.store.upsert import insert_if_absent

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("webhook", sa.String, nullable=False),
    sa.Column("key", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("site_id", sa.String, nullable=True),
    sa.Column("alert_id", sa.String, nullable=True),  # alert steps only
    sa.Column("at", sa.Double, nullable=False),  # when the event happened
    # When it was queued (again, after a manual retry): the give-up clock runs from here.
    sa.Column("queued_at", sa.Double, nullable=False),
    sa.Column("state", sa.String, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_attempt_at", sa.Double, nullable=True),
    sa.Column("delivered_at", sa.Double, nullable=True),
    sa.Column("status_code", sa.Integer, nullable=True),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.UniqueConstraint("webhook", "key", name="uq_notifications_webhook_key"),
    sa.Index("ix_notifications_webhook_state_id", "webhook", "state", "id"),
    sa.Index("ix_notifications_at", "at"),
)


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # rejected by the receiver, or given up on


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    webhook: str
    key: str
    kind: str
    site_id: str | None
    alert_id: str | None
    at: float
    queued_at: float
    state: DeliveryState
    attempts: int
    last_attempt_at: float | None
    delivered_at: float | None
    status_code: int | None
    error: str
    body: str


@dataclass(frozen=True, slots=True)
class WebhookTally:
    pending: int
    failed: int
    delivered: int
    last_delivered_at: float | None


class NotDeliverable(Exception):
    """A retry asked of a delivery that is not failed."""


def _delivery(row: sa.RowMapping) -> Delivery:
    values = dict(row)
    values["state"] = DeliveryState(values["state"])
    return Delivery(**values)


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[notifications], checkfirst=True)

    def enqueue(self, webhook: str, notification: Notification, now: float) -> int | None:
        """Queues the event for `webhook`; None when it is already queued (or was sent)."""
        return self._insert(webhook, notification, now, {})

    def record_sent(
        self,
        webhook: str,
        notification: Notification,
        sent_at: float,
        state: DeliveryState,
        status_code: int | None,
        error: str,
    ) -> int:
        """Logs an event sent past the queue (a test message), with how it went. Never
        pending, so no sender picks it up to send it again."""
        if state is DeliveryState.PENDING:
            raise ValueError("a delivery sent past the queue is delivered or failed")
        done = {
            "state": state.value,
            "attempts": 1,
            "last_attempt_at": sent_at,
            "delivered_at": sent_at if state is DeliveryState.DELIVERED else None,
            "status_code": status_code,
            "error": error,
        }
        found = self._insert(webhook, notification, sent_at, done)
        if found is None:
            raise ValueError(f"{notification.key} is already logged for {webhook}")
        return found

    def _insert(
        self, webhook: str, notification: Notification, now: float, overrides: dict[str, object]
    ) -> int | None:
        values = {
            "webhook": webhook,
            "key": notification.key,
            "kind": notification.kind,
            "site_id": notification.site_id,
            "alert_id": notification.alert_id,
            "at": notification.at,
            "queued_at": now,
            "state": DeliveryState.PENDING.value,
            "attempts": 0,
            "error": "",
            "body": notification.body,
            **overrides,
        }
        t = notifications
        with self._engine.begin() as conn:
            if not insert_if_absent(conn, t, values, ["webhook", "key"]):
                return None
            found = sa.select(t.c.id).where(t.c.webhook == webhook, t.c.key == notification.key)
            return int(conn.execute(found).scalar_one())

    def next_pending(self, webhook: str) -> Delivery | None:
        """The oldest pending delivery: endpoints hear of events in the order they happened."""
        t = notifications
        query = (
            sa.select(t)
            .where(t.c.webhook == webhook, t.c.state == DeliveryState.PENDING.value)
            .order_by(t.c.id)
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().one_or_none()
        return None if row is None else _delivery(row)

    def record_attempt(
        self,
        delivery_id: int,
        at: float,
        state: DeliveryState,
        status_code: int | None,
        error: str,
    ) -> None:
        t = notifications
        values: dict[str, object] = {
            "state": state.value,
            "attempts": t.c.attempts + 1,
            "last_attempt_at": at,
            "status_code": status_code,
            "error": error,
        }
        if state is DeliveryState.DELIVERED:
            values["delivered_at"] = at
        with self._engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == delivery_id).values(values))

    def give_up(self, delivery_id: int, error: str) -> None:
        """Fails a pending delivery without another attempt (its last answer stays)."""
        t = notifications
        with self._engine.begin() as conn:
            conn.execute(
                sa.update(t)
                .where(t.c.id == delivery_id, t.c.state == DeliveryState.PENDING.value)
                .values(state=DeliveryState.FAILED.value, error=error)
            )

    def requeue(self, delivery_id: int, now: float) -> Delivery:
        """A failed delivery, pending again (an operator fixed the receiver)."""
        t = notifications
        with self._engine.begin() as conn:
            updated = conn.execute(
                sa.update(t)
                .where(t.c.id == delivery_id, t.c.state == DeliveryState.FAILED.value)
                .values(state=DeliveryState.PENDING.value, queued_at=now)
            ).rowcount
        found = self.delivery(delivery_id)
        if found is None:
            raise KeyError(delivery_id)
        if not updated:
            raise NotDeliverable(f"delivery {delivery_id} is {found.state}, not failed")
        return found

    def delivery(self, delivery_id: int) -> Delivery | None:
        t = notifications
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == delivery_id)).mappings().one_or_none()
        return None if row is None else _delivery(row)

    def deliveries(
        self,
        webhook: str | None = None,
        state: DeliveryState | None = None,
        site_id: str | None = None,
        limit: int = 100,
    ) -> list[Delivery]:
        """Newest first."""
        if not 1 <= limit <= 10_000:
            raise ValueError(f"limit must be 1-10000, got {limit}")
        t = notifications
        query = sa.select(t)
        if webhook is not None:
            query = query.where(t.c.webhook == webhook)
        if state is not None:
            query = query.where(t.c.state == state.value)
        if site_id is not None:
            query = query.where(t.c.site_id == site_id)
        query = query.order_by(t.c.id.desc()).limit(limit)
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_delivery(row) for row in rows]

    def latest_alert_steps(self, alerts: int) -> list[Delivery]:
        """The latest settled (delivered or failed) step of each alert per webhook, for the
        `alerts` alerts with the newest settled steps, oldest first: a restarted monitor's
        alert cards still say who was told."""
        if alerts < 1:
            raise ValueError(f"alerts must be at least 1, got {alerts}")
        t = notifications
        settled = sa.and_(t.c.alert_id.is_not(None), t.c.state != DeliveryState.PENDING.value)
        latest = (
            sa.select(sa.func.max(t.c.id).label("id"))
            .where(settled)
            .group_by(t.c.alert_id, t.c.webhook)
            .subquery()
        )
        recent = (
            sa.select(t.c.alert_id)
            .where(settled)
            .group_by(t.c.alert_id)
            .order_by(sa.func.max(t.c.id).desc())
            .limit(alerts)
            .subquery()
        )
        query = (
            sa.select(t)
            .join(latest, t.c.id == latest.c.id)
            .where(t.c.alert_id.in_(sa.select(recent.c.alert_id)))
            .order_by(t.c.id)
        )
        with self._engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [_delivery(row) for row in rows]

    def tallies(self) -> dict[str, WebhookTally]:
        """Per endpoint: deliveries by state and the last one delivered."""
        t = notifications
        query = sa.select(
            t.c.webhook, t.c.state, sa.func.count(), sa.func.max(t.c.delivered_at)
        ).group_by(t.c.webhook, t.c.state)
        counts: dict[str, dict[str, int]] = {}
        last: dict[str, float | None] = {}
        with self._engine.connect() as conn:
            for webhook, state, count, delivered_at in conn.execute(query):
                counts.setdefault(webhook, {})[state] = int(count)
                if delivered_at is not None:
                    last[webhook] = max(delivered_at, last.get(webhook) or delivered_at)
        return {
            webhook: WebhookTally(
                pending=by_state.get(DeliveryState.PENDING.value, 0),
                failed=by_state.get(DeliveryState.FAILED.value, 0),
                delivered=by_state.get(DeliveryState.DELIVERED.value, 0),
                last_delivered_at=last.get(webhook),
            )
            for webhook, by_state in counts.items()
        }

    def delete_before(self, cutoff: float) -> int:
        """Drops the log of events before `cutoff`, except those still pending."""
        t = notifications
        with self._engine.begin() as conn:
            return conn.execute(
                sa.delete(t).where(t.c.at < cutoff, t.c.state != DeliveryState.PENDING.value)
            ).rowcount
