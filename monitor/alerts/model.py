"""Alerts and the events of their lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertEventKind(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One transition of one alert; `level` and `value` are the site's after the transition."""

    id: str
    alert_id: str
    site_id: str
    kind: AlertEventKind
    level: str
    value: float
    at: float
    by: str = SYSTEM_ACTOR
    note: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """An episode of a site above normal, from raised to resolved."""

    id: str
    site_id: str
    metric: str
    level: str
    peak_level: str
    peak_value: float
    state: AlertState
    raised_at: float
    updated_at: float
    acknowledged_at: float | None = None
    acknowledged_by: str | None = None
    acknowledge_note: str = ""
    resolved_at: float | None = None

    @property
    def is_open(self) -> bool:
        return self.state is not AlertState.RESOLVED


@dataclass(frozen=True, slots=True)
class AlertUpdate:
    """An event together with the alert as it stands after it."""

    alert: Alert
    event: AlertEvent
