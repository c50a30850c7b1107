"""Which recorded segments to delete: by age, then by disk budget, oldest first.

Segments overlapping an alert keep their own, longer age limit and go last when over
budget; a segment overlapping a pin is never deleted. Pure: the sweeper does the I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config.recording import RetentionConfig
from monitor.recording.index import Pin, Segment, overlaps


@dataclass(frozen=True, slots=True)
class AlertSpan:
    site_id: str
    start: float
    end: float | None
    """None while the alert is open."""


def plan_deletions(
    segments: list[Segment],
    pins: list[Pin],
    alerts: list[AlertSpan],
    config: RetentionConfig,
    now: float,
) -> list[Segment]:
    """Segments to delete, in the order to delete them."""

    def pinned(segment: Segment) -> bool:
        return any(pin.covers(segment.site_id, segment.start, segment.end) for pin in pins)

    def of_alert(segment: Segment) -> bool:
        return any(
            alert.site_id == segment.site_id
            and overlaps(
                alert.start, now if alert.end is None else alert.end, segment.start, segment.end
            )
            for alert in alerts
        )

    doomed: list[Segment] = []
    kept: list[tuple[bool, Segment]] = []
    for segment in sorted(segments, key=lambda s: (s.start, s.id)):
        if pinned(segment):
            continue  # never deleted, and outside the budget's choice
        alert = of_alert(segment)
        max_age_h = config.alert_max_age_h if alert else config.max_age_h
        if now - segment.end > max_age_h * 3600:
            doomed.append(segment)
        else:
            kept.append((alert, segment))
    budget = config.disk_budget_mb * 1_000_000
    total = sum(s.size for s in segments) - sum(s.size for s in doomed)
    # Ordinary footage goes before footage of alerts, each oldest first.
    for _, segment in sorted(kept, key=lambda pair: (pair[0], pair[1].start, pair[1].id)):
        if total <= budget:
            break
        doomed.append(segment)
        total -= segment.size
    return doomed
