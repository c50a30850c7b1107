"""Alerts and the events of their lifecycle.

An alert follows the crowd (raised → escalated/deescalated → cleared, by the system) and
the response to it (acknowledged → dispatched → arrived → resolved, by operators). The
two are separate: an alert whose crowd has cleared still waits for an operator to
resolve it with an outcome, acknowledged or not, because nobody has yet said what
happened; and a new rise at the site after clearing raises a new alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AlertState(StrEnum):
    """Where the response stands; each state follows the one before it."""

    OPEN = "open"  # raised, nobody has acknowledged it yet
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"  # a response platform is on its way
    ARRIVED = "arrived"  # officers are on site
    RESOLVED = "resolved"  # done, with an outcome


class AlertEventKind(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    DEESCALATED = "deescalated"
    CLEARED = "cleared"  # the crowd is back to normal; the alert stays until resolved
    OVERDUE = "overdue"  # not acknowledged within the configured time
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ARRIVED = "arrived"
    RESOLVED = "resolved"


RESPONSE_ORDER = (
    AlertState.OPEN,
    AlertState.ACKNOWLEDGED,
    AlertState.DISPATCHED,
    AlertState.ARRIVED,
    AlertState.RESOLVED,
)


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
    """An episode of a site above normal, and the response to it."""

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
    cleared_at: float | None = None  # when the crowd went back to normal
    overdue_at: float | None = None  # when it passed the acknowledgement deadline
    dispatched_at: float | None = None
    dispatched_by: str | None = None
    platform_id: str | None = None
    platform_name: str | None = None
    tier_minutes: int | None = None  # the platform's arrival target
    arrived_at: float | None = None
    arrived_by: str | None = None
    resolved_by: str | None = None
    outcome: str = ""

    @property
    def is_open(self) -> bool:
        """Not yet resolved by an operator (the crowd may have cleared)."""
        return self.state is not AlertState.RESOLVED

    @property
    def is_active(self) -> bool:
        """The crowd condition is still on: the site's alert engine follows it."""
        return self.cleared_at is None and self.is_open


@dataclass(frozen=True, slots=True)
class AlertUpdate:
    """An event together with the alert as it stands after it."""

    alert: Alert
    event: AlertEvent
