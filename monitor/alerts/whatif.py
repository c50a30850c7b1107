"""What-if: replay proposed thresholds over past readings and summarise the alerts.

Pure: the same AlertEngine the sites run, fed (time, value) pairs instead of frames, so
a preview shows exactly what the live monitor would have done. Schedules switch the
engine's levels at the readings' local times, as the site worker does. Given the site's
trend settings, it also finds when the live trend would first have projected each alert's
level (`warned_at`): how much warning the operators would have had.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo

from monitor.alerts.engine import AlertEngine
from monitor.alerts.model import AlertEventKind
from monitor.alerts.schedule import thresholds_at
from monitor.alerts.trend import TrendWindow, estimate_trend
from monitor.config.thresholds import ThresholdsConfig
from monitor.config.trend import TrendConfig

TimedValue = tuple[float, float]  # (epoch seconds, metric value)


@dataclass(frozen=True, slots=True)
class WhatIfTransition:
    at: float
    kind: str  # raised, escalated, deescalated, cleared
    level: str  # the level after the transition
    value: float


@dataclass(frozen=True, slots=True)
class WhatIfAlert:
    raised_at: float
    # Back to normal (the engine's `cleared`); None: still above normal at the last reading.
    resolved_at: float | None
    raised_level: str
    peak_level: str
    peak_value: float
    # Since when, without a break, the trend had projected the raised level within its
    # horizon; None: it had not (or no trend was asked for).
    warned_at: float | None = None


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    readings: int
    alerts: list[WhatIfAlert]
    transitions: list[WhatIfTransition]
    final_level: str
    seconds_by_level: dict[str, float] = field(default_factory=dict)

    @property
    def raised(self) -> int:
        return len(self.alerts)


def replay_thresholds(
    thresholds: ThresholdsConfig,
    readings: Iterable[TimedValue],
    timezone: tzinfo = UTC,
    trend: TrendConfig | None = None,
) -> WhatIfResult:
    """Alerts `thresholds` would have raised over `readings`, starting from normal.

    Readings are taken in time order whatever order they come in; the time spent at each
    level counts from one reading to the next. With `trend`, each alert says since when
    the trend had projected its level.
    """
    timeline = sorted(readings)
    ids = (f"whatif-{n}" for n in itertools.count())
    engine: AlertEngine | None = None
    alerts: list[WhatIfAlert] = []
    transitions: list[WhatIfTransition] = []
    seconds: dict[str, float] = dict.fromkeys(thresholds.level_names(), 0.0)
    previous_at: float | None = None
    projection = _Projection(trend) if trend is not None and trend.enabled else None
    for at, value in timeline:
        active = thresholds_at(thresholds, at, timezone)
        if engine is None:
            engine = AlertEngine("whatif", active, id_factory=lambda: next(ids))
        elif active != engine.thresholds:
            engine.set_thresholds(active)
        if previous_at is not None:
            seconds[engine.level] = seconds.get(engine.level, 0.0) + (at - previous_at)
        previous_at = at
        for update in engine.update(at, value):
            event, alert = update.event, update.alert
            transitions.append(WhatIfTransition(event.at, event.kind.value, event.level, value))
            if event.kind is AlertEventKind.RAISED:
                warned_at = projection.since(alert.level) if projection is not None else None
                alerts.append(
                    WhatIfAlert(at, None, alert.level, alert.peak_level, value, warned_at)
                )
            else:
                alerts[-1] = replace(
                    alerts[-1],
                    peak_level=alert.peak_level,
                    resolved_at=at if event.kind is AlertEventKind.CLEARED else None,
                )
        # As live: the trend follows the reading, against the level the engine is at now.
        # An alert raised by this reading asked above what operators saw before it.
        if projection is not None:
            projection.add(at, value, engine)
        # The engine only notes its peak on transitions; a preview wants the true maximum.
        if engine.alert is not None and alerts and value > alerts[-1].peak_value:
            alerts[-1] = replace(alerts[-1], peak_value=value)
    return WhatIfResult(
        readings=len(timeline),
        alerts=alerts,
        transitions=transitions,
        final_level=engine.level if engine is not None else "normal",
        seconds_by_level=seconds,
    )


# The live loop estimates the trend on every reading; a replay of a week need not. A
# warning's start is then known to this many seconds, against leads of minutes.
REPLAY_TREND_STEP_S = 5.0


class _Projection:
    """The live trend over the replayed readings: which level it projects, and since when."""

    def __init__(self, config: TrendConfig) -> None:
        self._config = config
        self._window = TrendWindow(config.window_s)
        self._level: str | None = None
        self._since: float | None = None
        self._estimated_at = -math.inf

    def add(self, at: float, value: float, engine: AlertEngine) -> None:
        self._window.add(at, value)
        if at - self._estimated_at < REPLAY_TREND_STEP_S:
            return
        self._estimated_at = at
        times, values = self._window.arrays()
        levels = engine.thresholds.levels
        trend = estimate_trend(times, values, levels, engine.level, self._config)
        projected = None
        if trend is not None and trend.next_level is not None and trend.eta_s is not None:
            projected = trend.next_level.name
        if projected != self._level:
            self._level, self._since = projected, at if projected is not None else None

    def since(self, level: str) -> float | None:
        return self._since if self._level == level else None
