"""How the command center responded to the alerts of a span: pure, no I/O.

After a holiday evening the question is not only where the crowds were but how fast the
response was: how long alerts waited for an operator, and whether each platform arrived
within its tier (1, 3 or 5 minutes from dispatch). Built from the alerts as stored: the
latest dispatch of an alert is the one measured (a platform sent again replaces the first).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.alerts.model import Alert, AlertState


@dataclass(frozen=True, slots=True)
class Durations:
    """Seconds: how many, median, 90th percentile (nearest rank) and longest."""

    count: int
    median_s: float | None
    p90_s: float | None
    max_s: float | None


def durations(values: Iterable[float]) -> Durations:
    ordered = sorted(values)
    if not ordered:
        return Durations(0, None, None, None)
    n = len(ordered)
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    p90 = ordered[max(0, math.ceil(0.9 * n) - 1)]
    return Durations(n, median, p90, ordered[-1])


@dataclass(frozen=True, slots=True)
class LateArrival:
    """A platform that arrived after its tier, or is past it and not there yet."""

    alert_id: str
    site_id: str
    platform: str
    tier_minutes: int
    dispatched_at: float
    took_s: float  # dispatch to arrival, or to the report's `now` while still on its way
    arrived: bool


@dataclass(frozen=True, slots=True)
class TierResult:
    tier_minutes: int
    dispatched: int
    within: int  # arrived within the tier
    late: int  # arrived after it, or still on the way past it
    on_the_way: int  # dispatched, not arrived, still within the tier
    not_arrived: int  # resolved without an arrival (called off)
    arrival: Durations  # dispatch to arrival, of those that arrived


@dataclass(frozen=True, slots=True)
class SiteResponse:
    site_id: str  # "" for all sites together
    alerts: int
    by_peak_level: dict[str, int]
    acknowledged: int
    never_acknowledged: int  # resolved, or cleared, with nobody acknowledging it
    waiting_now: int  # open and not yet acknowledged at `now`
    overdue: int  # passed the acknowledgement deadline unacknowledged
    acknowledge: Durations  # raised to acknowledged
    dispatched: int
    dispatch: Durations  # raised to (the latest) dispatch
    arrival: Durations  # dispatch to arrival
    within_tier: int
    late: int
    crowd: Durations  # raised to cleared: how long the crowd condition lasted
    still_open: int  # not resolved at `now`
    peak_value: float | None
    peak_alert_id: str | None


@dataclass(frozen=True, slots=True)
class ResponseReport:
    since: float
    until: float
    now: float
    total: SiteResponse
    sites: list[SiteResponse]
    tiers: list[TierResult]
    late: list[LateArrival]


def _late(alert: Alert, now: float) -> LateArrival | None:
    if alert.dispatched_at is None or alert.tier_minutes is None:
        return None
    limit_s = alert.tier_minutes * 60
    if alert.arrived_at is not None:
        took, arrived = alert.arrived_at - alert.dispatched_at, True
    elif alert.state is AlertState.RESOLVED:
        return None  # called off before arriving: not late, just not needed
    else:
        took, arrived = now - alert.dispatched_at, False
    if took <= limit_s:
        return None
    return LateArrival(
        alert.id,
        alert.site_id,
        alert.platform_name or alert.platform_id or "",
        alert.tier_minutes,
        alert.dispatched_at,
        took,
        arrived,
    )


def between(start: float | None, end: float | None) -> float | None:
    """Seconds from start to end; None when either step was not taken."""
    return None if start is None or end is None else end - start


def _spans(alerts: Iterable[Alert], start: str, end: str) -> Durations:
    """Durations of the alerts that have both times (attribute names of Alert)."""
    found = (between(getattr(a, start), getattr(a, end)) for a in alerts)
    return durations(s for s in found if s is not None)


def within_tier(alert: Alert) -> bool | None:
    """Whether its platform arrived within its tier; None when none has arrived."""
    took = between(alert.dispatched_at, alert.arrived_at)
    if took is None or alert.tier_minutes is None:
        return None
    return took <= alert.tier_minutes * 60


def _site_response(site_id: str, alerts: Sequence[Alert], now: float) -> SiteResponse:
    acknowledged = [a for a in alerts if a.acknowledged_at is not None]
    unacknowledged_done = [
        a
        for a in alerts
        if a.acknowledged_at is None and (a.state is AlertState.RESOLVED or a.cleared_at)
    ]
    waiting = [a for a in alerts if a.acknowledged_at is None and a.state is AlertState.OPEN]
    dispatched = [a for a in alerts if a.dispatched_at is not None]
    peak = max(alerts, key=lambda a: a.peak_value, default=None)
    return SiteResponse(
        site_id=site_id,
        alerts=len(alerts),
        by_peak_level=dict(Counter(a.peak_level for a in alerts)),
        acknowledged=len(acknowledged),
        never_acknowledged=len(unacknowledged_done),
        waiting_now=len(waiting),
        overdue=sum(1 for a in alerts if a.overdue_at is not None),
        acknowledge=_spans(alerts, "raised_at", "acknowledged_at"),
        dispatched=len(dispatched),
        dispatch=_spans(alerts, "raised_at", "dispatched_at"),
        arrival=_spans(alerts, "dispatched_at", "arrived_at"),
        within_tier=sum(1 for a in alerts if within_tier(a)),
        late=sum(1 for a in alerts if _late(a, now) is not None),
        crowd=_spans(alerts, "raised_at", "cleared_at"),
        still_open=sum(1 for a in alerts if a.state is not AlertState.RESOLVED),
        peak_value=None if peak is None else peak.peak_value,
        peak_alert_id=None if peak is None else peak.id,
    )


def _tier(tier_minutes: int, alerts: Sequence[Alert], now: float) -> TierResult:
    dispatched = [
        a for a in alerts if a.tier_minutes == tier_minutes and a.dispatched_at is not None
    ]
    en_route = [a for a in dispatched if a.arrived_at is None]
    called_off = [a for a in en_route if a.state is AlertState.RESOLVED]
    late = [a for a in dispatched if _late(a, now) is not None]
    return TierResult(
        tier_minutes=tier_minutes,
        dispatched=len(dispatched),
        within=sum(1 for a in dispatched if within_tier(a)),
        late=len(late),
        on_the_way=sum(1 for a in en_route if a not in called_off and a not in late),
        not_arrived=len(called_off),
        arrival=_spans(dispatched, "dispatched_at", "arrived_at"),
    )


def response_report(
    alerts: Iterable[Alert],
    since: float,
    until: float,
    now: float,
    site_ids: Sequence[str] = (),
) -> ResponseReport:
    """The response to the alerts raised in [since, until], as things stood at `now`.

    `site_ids` are listed even without alerts (a quiet site is news too), in that order,
    then any other site an alert names.
    """
    if since > until:
        raise ValueError(f"since {since} is after until {until}")
    chosen = [a for a in alerts if since <= a.raised_at <= until]
    chosen.sort(key=lambda a: (a.raised_at, a.id))
    by_site: dict[str, list[Alert]] = {site_id: [] for site_id in site_ids}
    for alert in chosen:
        by_site.setdefault(alert.site_id, []).append(alert)
    tiers = sorted({a.tier_minutes for a in chosen if a.tier_minutes is not None})
    late = [found for a in chosen if (found := _late(a, now)) is not None]
    return ResponseReport(
        since=since,
        until=until,
        now=now,
        total=_site_response("", chosen, now),
        sites=[_site_response(site_id, found, now) for site_id, found in by_site.items()],
        tiers=[_tier(tier, chosen, now) for tier in tiers],
        late=sorted(late, key=lambda entry: entry.took_s - entry.tier_minutes * 60, reverse=True),
    )
