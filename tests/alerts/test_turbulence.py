"""Turbulence alerts: the one-level thresholds a site's motion section sets, what each reading
feeds them, and the alert engine following a site's crowd pressure with them."""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest

from monitor.alerts.engine import AlertEngine
from monitor.alerts.turbulence import (
    TURBULENCE_METRIC,
    TURBULENT_LEVEL,
    turbulence_thresholds,
    turbulence_value,
)
from monitor.config.motion import MotionConfig
from monitor.motion.measure import Motion

TURBULENT = Motion(speed_m_s=0.6, pressure=0.05, turbulent=True)


def motion_config(**changes: Any) -> MotionConfig:
    return MotionConfig.model_validate(changes)


def test_the_level_is_entered_at_the_pressure_limit_and_left_below_its_share() -> None:
    config = motion_config(
        pressure_limit=0.04, alert_clear_ratio=0.5, alert_hold_s=7, alert_cooldown_s=90
    )
    thresholds = turbulence_thresholds(config)
    [level] = thresholds.levels
    assert (level.name, level.enter, level.exit) == (TURBULENT_LEVEL, 0.04, 0.02)
    assert (thresholds.min_duration_s, thresholds.cooldown_s) == (7, 90)


@pytest.mark.parametrize(
    ("changes", "motion", "value"),
    [
        pytest.param({}, TURBULENT, 0.05, id="measured: its pressure"),
        pytest.param({}, None, None, id="no motion this frame: says nothing"),
        pytest.param({"alert": False}, TURBULENT, 0.0, id="alert off: calm"),
        pytest.param({"enabled": False}, None, 0.0, id="motion off: calm"),
    ],
)
def test_what_a_reading_feeds_the_engine(
    changes: dict[str, Any], motion: Motion | None, value: float | None
) -> None:
    assert turbulence_value(motion_config(**changes), motion) == value


def engine(config: MotionConfig) -> AlertEngine:
    ids = (f"id{n}" for n in count())
    return AlertEngine(
        "wuyi",
        turbulence_thresholds(config),
        id_factory=lambda: next(ids),
        metric=TURBULENCE_METRIC,
    )


def test_a_lasting_turbulence_raises_one_alert_named_for_crowd_pressure() -> None:
    subject = engine(motion_config(alert_hold_s=2, alert_clear_ratio=0.75, alert_cooldown_s=0))
    # 0.02 limit: on at 0.03 for 2 s, held while above 0.015, cleared 2 s below it.
    timeline = [(0, 0.03), (1, 0.03), (2, 0.03), (3, 0.016), (4, 0.01), (5, 0.01), (6, 0.01)]
    steps = [(at, u.event.kind) for at, v in timeline for u in subject.update(at, v)]
    assert steps == [(2, "raised"), (6, "cleared")]
    assert subject.alert is None


def test_the_alert_names_its_metric_and_level() -> None:
    subject = engine(motion_config(alert_hold_s=0))
    [update] = subject.update(10.0, 0.08)
    alert = update.alert
    assert (alert.metric, alert.level, alert.peak_value) == (
        TURBULENCE_METRIC,
        TURBULENT_LEVEL,
        0.08,
    )


def test_without_a_metric_of_its_own_the_engine_names_its_thresholds_metric() -> None:
    thresholds = turbulence_thresholds(motion_config(alert_hold_s=0))
    [update] = AlertEngine("wuyi", thresholds).update(10.0, 0.08)
    assert update.alert.metric == thresholds.metric.value


def test_new_limits_keep_the_alert_that_is_on() -> None:
    subject = engine(motion_config(alert_hold_s=0))
    [raised] = subject.update(10.0, 0.05)
    subject.set_thresholds(
        turbulence_thresholds(motion_config(alert_hold_s=0, pressure_limit=0.04))
    )
    assert subject.update(11.0, 0.045) == []
    assert subject.alert is not None
    assert subject.alert.id == raised.alert.id
