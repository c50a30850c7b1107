"""Which thresholds apply at a moment: the base levels or a scheduled window's.

Schedules are written in the site's wall-clock time ("holiday evenings 18:00-24:00"),
while readings carry epoch seconds; this is the one place that converts between them.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from monitor.config.thresholds import ScheduleConfig, ThresholdsConfig


def local_time(at: float, timezone: tzinfo) -> datetime:
    return datetime.fromtimestamp(at, tz=timezone)


def active_schedule(
    thresholds: ThresholdsConfig, at: float, timezone: tzinfo = UTC
) -> ScheduleConfig | None:
    if not thresholds.schedules:
        return None
    return thresholds.active_schedule(local_time(at, timezone))


def thresholds_at(
    thresholds: ThresholdsConfig, at: float, timezone: tzinfo = UTC
) -> ThresholdsConfig:
    """The plain thresholds (without schedules) an alert engine applies at epoch `at`."""
    return thresholds.resolved(active_schedule(thresholds, at, timezone))
