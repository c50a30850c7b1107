"""What-if: replay proposed thresholds over past readings and summarise the alerts.

Pure: the same AlertEngine the sites run, fed (time, value) pairs instead of frames, so
a preview shows exactly what the live monitor would have done. Schedules switch the
engine's levels at the readings' local times, as the site worker does.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, tzinfo

from monitor.alerts.engine import AlertEngine
from monitor.alerts.model import AlertEventKind
from monitor.alerts.schedule import thresholds_at
from monitor.config.thresholds import ThresholdsConfig

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
) -> WhatIfResult:
    """Alerts `thresholds` would have raised over `readings`, starting from normal.

    Readings are taken in time order whatever order they come in; the time spent at each
    level counts from one reading to the next.
    """
    timeline = sorted(readings)
    ids = (f"whatif-{n}" for n in itertools.count())
    engine: AlertEngine | None = None
    alerts: list[WhatIfAlert] = []
    transitions: list[WhatIfTransition] = []
    seconds: dict[str, float] = dict.fromkeys(thresholds.level_names(), 0.0)
    previous_at: float | None = None
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
                alerts.append(WhatIfAlert(at, None, alert.level, alert.peak_level, value))
            else:
                alerts[-1] = replace(
                    alerts[-1],
                    peak_level=alert.peak_level,
                    resolved_at=at if event.kind is AlertEventKind.CLEARED else None,
                )
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
