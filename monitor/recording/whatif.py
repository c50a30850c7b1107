"""Comparing what candidate thresholds would have raised with what the thresholds in force
raised over the same recorded readings. Pure; the replay itself is `monitor.alerts.whatif`."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.alerts.turbulence import turbulence_value
from monitor.alerts.whatif import WhatIfAlert, WhatIfResult
from monitor.config.motion import MotionConfig
from monitor.config.thresholds import Metric
from monitor.quality.verdict import QualityIssue
from monitor.store.base import StoredReading


@dataclass(frozen=True, slots=True)
class Pair:
    candidate: WhatIfAlert | None
    in_force: WhatIfAlert | None

    @property
    def minutes_earlier(self) -> float | None:
        """Positive when the candidate raised first."""
        if self.candidate is None or self.in_force is None:
            return None
        return (self.in_force.raised_at - self.candidate.raised_at) / 60.0


def metric_series(readings: list[StoredReading], metric: Metric) -> list[tuple[float, float]]:
    def value(reading: StoredReading) -> float:
        if metric is Metric.COUNT:
            return reading.count
        if metric is Metric.MEAN_DENSITY:
            return reading.mean_density
        return reading.peak_density

    # As the live loop does: a blank picture's reading never reached the alert engine.
    return [(r.captured_at, value(r)) for r in readings if not _blank(r)]


def pressure_series(readings: list[StoredReading]) -> list[tuple[float, float]]:
    """The crowd pressure the readings stored, where they have one."""
    return [
        (r.captured_at, r.motion.pressure)
        for r in readings
        if r.motion is not None and not _blank(r)
    ]


def turbulence_series(
    readings: list[StoredReading], motion: MotionConfig
) -> list[tuple[float, float]]:
    """What the readings would have fed a turbulence engine under `motion` (as the live loop
    does: a blank picture or a reading without motion holds it). Stored pressures were taken
    with the window and density floor of their day: a new limit, hold, clear ratio or cooldown
    replays true, a new way of measuring shows only on new readings."""
    return [
        (r.captured_at, value)
        for r in readings
        if not _blank(r) and (value := turbulence_value(motion, r.motion)) is not None
    ]


def _blank(reading: StoredReading) -> bool:
    return reading.quality is not None and QualityIssue.BLANK in reading.quality.issues


def alert_end(alert: WhatIfAlert, until: float) -> float:
    return alert.resolved_at if alert.resolved_at is not None else until


def pair_alerts(candidate: WhatIfResult, in_force: WhatIfResult, until: float) -> list[Pair]:
    """Each in-force alert with the first candidate alert overlapping it; the rest alone.
    Ordered by the earlier raise of each pair."""
    unused = list(candidate.alerts)
    pairs: list[Pair] = []
    for current in in_force.alerts:
        match = next(
            (
                c
                for c in unused
                if c.raised_at <= alert_end(current, until)
                and current.raised_at <= alert_end(c, until)
            ),
            None,
        )
        if match is not None:
            unused.remove(match)
        pairs.append(Pair(match, current))
    pairs.extend(Pair(c, None) for c in unused)

    def first(pair: Pair) -> float:
        return min(a.raised_at for a in (pair.candidate, pair.in_force) if a is not None)

    return sorted(pairs, key=first)


def alert_seconds(result: WhatIfResult, until: float) -> float:
    return sum(alert_end(a, until) - a.raised_at for a in result.alerts)
