"""Alerts with a known response, saved in a real store: the response report's tests read
them back through the API and the page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState, AlertUpdate
from monitor.store.base import Store


def save(store: Store, alert: Alert) -> None:
    event = AlertEvent(
        f"ev-{alert.id}",
        alert.id,
        alert.site_id,
        AlertEventKind.RAISED,
        alert.level,
        alert.peak_value,
        alert.raised_at,
    )
    store.save_alert_update(AlertUpdate(alert, event))


def alert(n: int, site: str, raised_at: float, **fields: Any) -> Alert:
    base = Alert(
        id=f"a{n}",
        site_id=site,
        metric="peak_density",
        level="elevated",
        peak_level="elevated",
        peak_value=2.5,
        state=AlertState.OPEN,
        raised_at=raised_at,
        updated_at=raised_at,
    )
    return replace(base, **fields)


def save_response_history(store: Store, now: float) -> None:
    """gate-a: a1 acknowledged in 20 s, its 3-minute platform there in 150 s, resolved;
    a2 overdue, acknowledged in 120 s, its 1-minute platform there in 95 s (late).
    gate-b: a3 raised 100 s ago, waiting; a4 raised two days ago."""
    raised = now - 3000
    save(
        store,
        alert(
            1,
            "gate-a",
            raised,
            state=AlertState.RESOLVED,
            acknowledged_at=raised + 20,
            acknowledged_by="li",
            dispatched_at=raised + 60,
            platform_id="p3",
            platform_name="Huangxing 3 min",
            tier_minutes=3,
            arrived_at=raised + 210,
            cleared_at=raised + 600,
            resolved_at=raised + 700,
            resolved_by="li",
            outcome="queue managed",
            peak_level="high",
            peak_value=4.2,
        ),
    )
    raised = now - 2000
    save(
        store,
        alert(
            2,
            "gate-a",
            raised,
            state=AlertState.ARRIVED,
            acknowledged_at=raised + 120,
            acknowledged_by="wang",
            overdue_at=raised + 60,
            dispatched_at=raised + 130,
            platform_id="p1",
            platform_name="Wuyi 1 min",
            tier_minutes=1,
            arrived_at=raised + 225,
        ),
    )
    save(store, alert(3, "gate-b", now - 100))
    save(store, alert(4, "gate-b", now - 2 * 86_400))
