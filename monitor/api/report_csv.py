"""Alerts of a span as CSV, one row each with its response times: the after-action table."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from monitor.alerts.model import Alert
from monitor.alerts.response_report import between, within_tier
from monitor.api.health_csv import utc_iso

ALERT_COLUMNS = (
    "alert_id",
    "site_id",
    "site_name",
    "peak_level",
    "peak_value",
    "raised_utc",
    "raised",
    "acknowledge_s",
    "acknowledged_by",
    "overdue",
    "platform",
    "tier_minutes",
    "dispatch_s",
    "arrival_s",
    "within_tier",
    "crowd_s",
    "state",
    "resolved_by",
    "outcome",
)


def _seconds(start: float | None, end: float | None) -> str:
    took = between(start, end)
    return "" if took is None else str(round(took, 3))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def alerts_csv(alerts: Iterable[Alert], site_names: Mapping[str, str]) -> bytes:
    """Empty cells for a step not taken (never acknowledged, not dispatched)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ALERT_COLUMNS)
    for a in alerts:
        writer.writerow(
            [
                a.id,
                a.site_id,
                site_names.get(a.site_id, ""),
                a.peak_level,
                a.peak_value,
                utc_iso(a.raised_at),
                repr(a.raised_at),
                _seconds(a.raised_at, a.acknowledged_at),
                a.acknowledged_by or "",
                "yes" if a.overdue_at is not None else "no",
                a.platform_name or a.platform_id or "",
                "" if a.tier_minutes is None else a.tier_minutes,
                _seconds(a.raised_at, a.dispatched_at),
                _seconds(a.dispatched_at, a.arrived_at),
                _yes_no(within_tier(a)),
                _seconds(a.raised_at, a.cleared_at),
                a.state.value,
                a.resolved_by or "",
                a.outcome,
            ]
        )
    return out.getvalue().encode()
