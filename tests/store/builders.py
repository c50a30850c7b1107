"""Sample domain objects for the store tests."""

from __future__ import annotations

import dataclasses

from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState, AlertUpdate
from monitor.config.thresholds import LevelConfig, ThresholdsConfig
from monitor.store.base import StoredReading

T0 = 1_700_000_000.125


def reading(
    seq: int, *, site_id: str = "gate-a", captured_at: float | None = None
) -> StoredReading:
    at = T0 + seq if captured_at is None else captured_at
    return StoredReading(
        site_id=site_id,
        seq=seq,
        captured_at=at,
        analysed_at=at + 0.1,
        count=12.3 + seq,
        mean_density=0.1 + 0.2,
        peak_density=1 / 3 + seq,
        level="normal",
        grid=[[None, 0.1, 2.5e-7], [1 / 7, None, 3.0]],
        frame_width=1280,
        frame_height=720,
    )


def thresholds(enter: float = 2.0) -> ThresholdsConfig:
    return ThresholdsConfig(
        min_duration_s=4.5,
        levels=[
            LevelConfig(name="elevated", color="#ffaa00", enter=enter, exit=enter * 0.75),
            LevelConfig(name="critical", color="#ff0000", enter=enter * 2.5, exit=enter * 2),
        ],
    )


def raised(alert_id: str = "a1", *, site_id: str = "gate-a", at: float = T0) -> AlertUpdate:
    alert = Alert(
        id=alert_id,
        site_id=site_id,
        metric="peak_density",
        level="elevated",
        peak_level="elevated",
        peak_value=2.2,
        state=AlertState.OPEN,
        raised_at=at,
        updated_at=at,
    )
    return AlertUpdate(alert=alert, event=event(alert, AlertEventKind.RAISED, at, 2.2))


def event(
    alert: Alert,
    kind: AlertEventKind,
    at: float,
    value: float,
    *,
    by: str = "system",
    note: str = "",
) -> AlertEvent:
    return AlertEvent(
        id=f"{alert.id}-{kind.value}-{at!r}",
        alert_id=alert.id,
        site_id=alert.site_id,
        kind=kind,
        level=alert.level,
        value=value,
        at=at,
        by=by,
        note=note,
    )


def lifecycle(alert_id: str = "a1") -> list[AlertUpdate]:
    """Raised, escalated, acknowledged, resolved: each update's alert as it stands after it."""
    first = raised(alert_id)
    a = first.alert
    escalated = dataclasses.replace(
        a, level="critical", peak_level="critical", peak_value=5.75, updated_at=T0 + 10
    )
    acknowledged = dataclasses.replace(
        escalated,
        state=AlertState.ACKNOWLEDGED,
        updated_at=T0 + 20,
        acknowledged_at=T0 + 20,
        acknowledged_by="op-1",
        acknowledge_note="stewards sent",
    )
    resolved = dataclasses.replace(
        acknowledged,
        state=AlertState.RESOLVED,
        level="normal",
        updated_at=T0 + 30,
        resolved_at=T0 + 30,
    )
    return [
        first,
        AlertUpdate(escalated, event(escalated, AlertEventKind.ESCALATED, T0 + 10, 5.75)),
        AlertUpdate(
            acknowledged,
            event(
                acknowledged,
                AlertEventKind.ACKNOWLEDGED,
                T0 + 20,
                5.5,
                by="op-1",
                note="stewards sent",
            ),
        ),
        AlertUpdate(resolved, event(resolved, AlertEventKind.RESOLVED, T0 + 30, 1.1)),
    ]
