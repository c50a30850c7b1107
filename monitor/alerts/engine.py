"""The alert state machine of one site: a pure function of its readings over time.

Levels are entered when the value has been at or above their `enter` value for
`min_duration_s`, and left when it has been below the current level's `exit` value for
as long (hysteresis). A level left less than `cooldown_s` ago cannot be entered again.
Back at normal, the alert is `cleared` and the engine lets go of it: it stays open for
operators (see `monitor.alerts.lifecycle`), and the next rise raises a new alert. An
alert still unacknowledged `escalate_after_s` after it was raised is marked `overdue`, also
while no readings arrive (`tick`): a camera that dies mid-incident must not silence it.
Time comes from the caller, never from a clock, so tests replay exact timelines.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from monitor.alerts import lifecycle
from monitor.alerts.lifecycle import AlertError
from monitor.alerts.model import (
    SYSTEM_ACTOR,
    Alert,
    AlertEventKind,
    AlertState,
    AlertUpdate,
)
from monitor.config.thresholds import ThresholdsConfig

IdFactory = Callable[[], str]


def new_id() -> str:
    return uuid.uuid4().hex


__all__ = ["AlertEngine", "AlertError", "Step", "new_id"]

# An operator step on an alert: monitor.alerts.lifecycle's functions, bound to their args.
Step = Callable[[Alert, str], AlertUpdate]  # (alert, event id) -> update


class AlertEngine:
    def __init__(
        self,
        site_id: str,
        thresholds: ThresholdsConfig,
        open_alert: Alert | None = None,
        id_factory: IdFactory = new_id,
        escalate_after_s: float | None = None,
        metric: str | None = None,
    ) -> None:
        """`metric`: what the values fed are, named on the alerts raised; by default the
        thresholds' own metric (a site's density thresholds name theirs)."""
        self.site_id = site_id
        self._metric = metric
        self._thresholds = thresholds
        self._new_id = id_factory
        self.escalate_after_s = escalate_after_s
        # Only an alert whose crowd has not cleared is the engine's to follow.
        self._alert = open_alert if open_alert is not None and open_alert.is_active else None
        self._level = self._level_index(self._alert.level) if self._alert else 0
        self._above_since: dict[int, float] = {}
        self._below_exit_since: float | None = None
        self._left_at: dict[int, float] = {}
        self._last_value = open_alert.peak_value if open_alert is not None else 0.0

    @property
    def thresholds(self) -> ThresholdsConfig:
        return self._thresholds

    @property
    def metric(self) -> str:
        return self._metric if self._metric is not None else self._thresholds.metric.value

    @property
    def level(self) -> str:
        return self._thresholds.level_names()[self._level]

    @property
    def alert(self) -> Alert | None:
        return self._alert

    def set_thresholds(self, thresholds: ThresholdsConfig) -> None:
        """New levels apply from the next reading; the open alert keeps its id."""
        current = self.level
        self._thresholds = thresholds
        names = thresholds.level_names()
        self._level = names.index(current) if current in names else min(self._level, len(names) - 1)
        self._above_since.clear()
        self._below_exit_since = None
        self._left_at.clear()

    def update(self, at: float, value: float) -> list[AlertUpdate]:
        self._last_value = value
        target = self._target_level(at, value)
        updates = [] if target == self._level else [self._move_to(target, at, value)]
        overdue = self._overdue(at, value)
        return updates if overdue is None else [*updates, overdue]

    def tick(self, at: float) -> AlertUpdate | None:
        """Time passing without a reading: only the acknowledgement deadline can fire, with
        the last value seen (levels need readings to move)."""
        return self._overdue(at, self._last_value)

    def act(self, alert_id: str, step: Step) -> AlertUpdate:
        """An operator step on the alert this engine follows."""
        alert = self._alert
        if alert is None or alert.id != alert_id:
            raise AlertError(f"alert {alert_id} is not active at site {self.site_id}")
        update = step(alert, self._new_id())
        self._alert = update.alert if update.alert.is_active else None
        return update

    def acknowledge(self, alert_id: str, by: str, note: str, at: float) -> AlertUpdate:
        return self.act(
            alert_id, lambda alert, event_id: lifecycle.acknowledge(alert, by, note, at, event_id)
        )

    def _overdue(self, at: float, value: float) -> AlertUpdate | None:
        alert = self._alert
        if (
            self.escalate_after_s is None
            or alert is None
            or alert.state is not AlertState.OPEN
            or alert.overdue_at is not None
            or at - alert.raised_at < self.escalate_after_s
        ):
            return None
        self._alert = replace(alert, overdue_at=at, updated_at=at)
        return self._event(self._alert, AlertEventKind.OVERDUE, at, value)

    def _level_index(self, name: str) -> int:
        names = self._thresholds.level_names()
        return names.index(name) if name in names else len(names) - 1

    def _target_level(self, at: float, value: float) -> int:
        levels = self._thresholds.levels
        hold = self._thresholds.min_duration_s
        for index, level in enumerate(levels, start=1):
            if value >= level.enter:
                self._above_since.setdefault(index, at)
            else:
                self._above_since.pop(index, None)

        for index in range(len(levels), self._level, -1):
            since = self._above_since.get(index)
            if since is not None and at - since >= hold and not self._cooling(index, at):
                return index

        if self._level == 0:
            return 0
        if value >= levels[self._level - 1].exit:
            self._below_exit_since = None
            return self._level
        if self._below_exit_since is None:
            self._below_exit_since = at
        if at - self._below_exit_since < hold:
            return self._level
        # Falling through several levels at once lands on the highest one still held.
        for index in range(self._level - 1, 0, -1):
            if value >= levels[index - 1].exit:
                return index
        return 0

    def _cooling(self, index: int, at: float) -> bool:
        left = self._left_at.get(index)
        return left is not None and at - left < self._thresholds.cooldown_s

    def _move_to(self, target: int, at: float, value: float) -> AlertUpdate:
        previous = self._level
        self._level = target
        self._below_exit_since = None
        for index in range(target + 1, previous + 1):
            self._left_at[index] = at
        name = self.level

        if previous == 0:
            raised = Alert(
                id=self._new_id(),
                site_id=self.site_id,
                metric=self.metric,
                level=name,
                peak_level=name,
                peak_value=value,
                state=AlertState.OPEN,
                raised_at=at,
                updated_at=at,
            )
            self._alert = raised
            return self._event(raised, AlertEventKind.RAISED, at, value)

        alert = self._alert
        assert alert is not None, "a level above normal always has an alert"
        if target == 0:
            self._alert = None  # still open for operators, but no longer this engine's
            cleared = replace(alert, level=name, cleared_at=at, updated_at=at)
            return self._event(cleared, AlertEventKind.CLEARED, at, value)
        escalating = target > previous
        new_peak = escalating and target > self._level_index(alert.peak_level)
        changed = replace(
            alert,
            level=name,
            peak_level=name if new_peak else alert.peak_level,
            peak_value=max(alert.peak_value, value),
            updated_at=at,
        )
        self._alert = changed
        kind = AlertEventKind.ESCALATED if escalating else AlertEventKind.DEESCALATED
        return self._event(changed, kind, at, value)

    def _event(
        self,
        alert: Alert,
        kind: AlertEventKind,
        at: float,
        value: float,
    ) -> AlertUpdate:
        return lifecycle.step(alert, kind, at, self._new_id(), SYSTEM_ACTOR, value=value)
