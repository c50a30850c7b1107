"""The response to an alert: pure steps from one alert state to the next.

    raised ─► acknowledged (who, note) ─► dispatched (platform, tier) ─► arrived ─► resolved
                                           └── may be re-dispatched ──┘   (outcome)

Resolving needs an acknowledgement first (a false alarm is acknowledged, then resolved)
and a cleared crowd: while the site is still above normal the situation is not over,
and the alert stays with its platform on scene. Each step returns the alert as it
stands after it with the event that records who did it and when.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState, AlertUpdate


class AlertError(Exception):
    """An operator action that does not apply to the alert as it stands."""


@dataclass(frozen=True, slots=True)
class Dispatch:
    platform_id: str
    platform_name: str
    tier_minutes: int


def acknowledge(alert: Alert, by: str, note: str, at: float, event_id: str) -> AlertUpdate:
    _check_not_resolved(alert)
    if alert.state is not AlertState.OPEN:
        raise AlertError(f"alert {alert.id} is already acknowledged by {alert.acknowledged_by}")
    after = replace(
        alert,
        state=AlertState.ACKNOWLEDGED,
        acknowledged_at=at,
        acknowledged_by=by,
        acknowledge_note=note,
        updated_at=at,
    )
    return step(after, AlertEventKind.ACKNOWLEDGED, at, event_id, by, note)


def dispatch(
    alert: Alert, to: Dispatch, by: str, note: str, at: float, event_id: str
) -> AlertUpdate:
    _check_not_resolved(alert)
    if alert.state is AlertState.OPEN:
        raise AlertError(f"alert {alert.id} must be acknowledged before dispatching")
    if alert.state is AlertState.ARRIVED:
        raise AlertError(f"officers have already arrived for alert {alert.id}")
    if alert.state is AlertState.DISPATCHED and alert.platform_id == to.platform_id:
        raise AlertError(f"alert {alert.id} is already dispatched to {to.platform_id}")
    after = replace(
        alert,
        state=AlertState.DISPATCHED,
        dispatched_at=at,
        dispatched_by=by,
        platform_id=to.platform_id,
        platform_name=to.platform_name,
        tier_minutes=to.tier_minutes,
        updated_at=at,
    )
    text = f"{to.platform_name} ({to.tier_minutes} min)" + (f": {note}" if note else "")
    return step(after, AlertEventKind.DISPATCHED, at, event_id, by, text)


def arrive(alert: Alert, by: str, note: str, at: float, event_id: str) -> AlertUpdate:
    _check_not_resolved(alert)
    if alert.state is not AlertState.DISPATCHED:
        raise AlertError(f"alert {alert.id} is {alert.state.value}; only a dispatch can arrive")
    after = replace(alert, state=AlertState.ARRIVED, arrived_at=at, arrived_by=by, updated_at=at)
    return step(after, AlertEventKind.ARRIVED, at, event_id, by, note)


def resolve(alert: Alert, by: str, outcome: str, at: float, event_id: str) -> AlertUpdate:
    _check_not_resolved(alert)
    if alert.state is AlertState.OPEN:
        raise AlertError(f"alert {alert.id} must be acknowledged before it is resolved")
    if alert.cleared_at is None:
        raise AlertError(
            f"alert {alert.id} is still at level {alert.level}; "
            "it can be resolved once the crowd has cleared"
        )
    after = replace(
        alert,
        state=AlertState.RESOLVED,
        resolved_at=at,
        resolved_by=by,
        outcome=outcome,
        updated_at=at,
    )
    return step(after, AlertEventKind.RESOLVED, at, event_id, by, outcome)


def step(
    alert: Alert,
    kind: AlertEventKind,
    at: float,
    event_id: str,
    by: str,
    note: str = "",
    value: float | None = None,
) -> AlertUpdate:
    event = AlertEvent(
        id=event_id,
        alert_id=alert.id,
        site_id=alert.site_id,
        kind=kind,
        level=alert.level,
        value=alert.peak_value if value is None else value,
        at=at,
        by=by,
        note=note,
    )
    return AlertUpdate(alert=alert, event=event)


def _check_not_resolved(alert: Alert) -> None:
    if alert.state is AlertState.RESOLVED:
        raise AlertError(f"alert {alert.id} is already resolved")
