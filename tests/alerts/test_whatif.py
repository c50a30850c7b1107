from __future__ import annotations

import dataclasses
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.alerts.whatif import REPLAY_TREND_STEP_S, WhatIfAlert, replay_thresholds
from monitor.config.thresholds import LevelConfig, ScheduleConfig, ThresholdsConfig
from monitor.config.trend import TrendConfig

SHANGHAI = ZoneInfo("Asia/Shanghai")


def levels(elevated: float = 2.0, high: float = 4.0) -> list[LevelConfig]:
    return [
        LevelConfig(name="elevated", color="#f5c542", enter=elevated, exit=elevated - 0.5),
        LevelConfig(name="high", color="#f08c00", enter=high, exit=high - 0.5),
    ]


def thresholds(
    elevated: float = 2.0,
    min_duration_s: float = 0.0,
    schedules: list[ScheduleConfig] | None = None,
) -> ThresholdsConfig:
    return ThresholdsConfig(
        min_duration_s=min_duration_s,
        cooldown_s=0.0,
        levels=levels(elevated, elevated + 2.0),
        schedules=schedules or [],
    )


def at_local(day: int, hour: int, minute: int = 0) -> float:
    """Epoch seconds of 2026-11-<day> hour:minute in Changsha (2026-11-23 is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).timestamp()


@pytest.mark.parametrize(
    ("proposed", "timeline", "expected"),
    [
        pytest.param(
            thresholds(),
            [(0, 1.0), (10, 1.2)],
            [],
            id="quiet-readings-raise-nothing",
        ),
        pytest.param(
            thresholds(),
            [(0, 1.0), (10, 2.5), (20, 3.0), (30, 1.0)],
            [WhatIfAlert(10, 30, "elevated", "elevated", 3.0)],
            id="one-episode-with-true-peak",
        ),
        pytest.param(
            thresholds(),
            [(0, 2.5), (10, 4.5), (20, 0.5), (30, 2.1)],
            [
                WhatIfAlert(0, 20, "elevated", "high", 4.5),
                WhatIfAlert(30, None, "elevated", "elevated", 2.1),
            ],
            id="escalation-then-second-episode-still-open",
        ),
        pytest.param(
            thresholds(elevated=3.0),
            [(0, 1.0), (10, 2.5), (20, 3.0 - 0.1), (30, 1.0)],
            [],
            id="stricter-levels-raise-nothing",
        ),
        pytest.param(
            thresholds(min_duration_s=15),
            [(0, 2.5), (10, 2.5), (20, 0.0)],
            [],
            id="too-short-for-min-duration",
        ),
        pytest.param(
            thresholds(),
            [(30, 1.0), (10, 2.5), (0, 1.0), (20, 3.0)],
            [WhatIfAlert(10, 30, "elevated", "elevated", 3.0)],
            id="unordered-readings-are-sorted",
        ),
    ],
)
def test_alerts_it_would_have_raised(
    proposed: ThresholdsConfig, timeline: list[tuple[float, float]], expected: list[WhatIfAlert]
) -> None:
    result = replay_thresholds(proposed, timeline)
    assert result.alerts == expected
    assert result.raised == len(expected)
    assert result.readings == len(timeline)


def test_time_spent_per_level_adds_up() -> None:
    result = replay_thresholds(thresholds(), [(0, 1.0), (10, 2.5), (40, 4.2), (45, 0.1), (50, 0)])
    assert result.seconds_by_level == {"normal": 15.0, "elevated": 30.0, "high": 5.0}
    assert result.final_level == "normal"
    assert [(t.at, t.kind, t.level) for t in result.transitions] == [
        (10, "raised", "elevated"),
        (40, "escalated", "high"),
        (45, "cleared", "normal"),
    ]


def test_no_readings_is_an_empty_summary() -> None:
    result = replay_thresholds(thresholds(), [])
    assert (result.readings, result.alerts, result.final_level) == (0, [], "normal")


def test_schedule_applies_in_site_local_time() -> None:
    evening = ScheduleConfig(
        name="holiday-evening", days=["sat"], start="18:00", end="24:00", levels=levels(1.0, 3.0)
    )
    proposed = thresholds(schedules=[evening])
    value = 1.5  # above the evening's elevated level only
    saturday_noon = [(at_local(28, 12), value), (at_local(28, 12, 1), 0.0)]
    saturday_evening = [(at_local(28, 19), value), (at_local(28, 19, 1), 0.0)]
    friday_evening = [(at_local(27, 19), value), (at_local(27, 19, 1), 0.0)]
    assert replay_thresholds(proposed, saturday_noon, SHANGHAI).raised == 0
    assert replay_thresholds(proposed, saturday_evening, SHANGHAI).raised == 1
    assert replay_thresholds(proposed, friday_evening, SHANGHAI).raised == 0
    # The same instants read in UTC are 08:00 and 11:00: outside the window.
    assert replay_thresholds(proposed, saturday_evening).raised == 0


def ramp(per_min: float, until_s: float, start: float = 0.5) -> list[tuple[float, float]]:
    """Readings every half second from T0, rising `per_min` a minute from `start`."""
    t0 = at_local(23, 18)
    return [(t0 + k / 2, start + per_min * k / 120) for k in range(int(until_s * 2))]


WARNING_TREND = TrendConfig(window_s=60, horizon_s=300)


@pytest.mark.parametrize(
    ("timeline", "lead_s"),
    [
        # 1 a minute from 0.5: the trend has 30 s of history when 2.0 is 60 s away, so it
        # projects elevated from its first estimate, a minute before the raise.
        pytest.param(ramp(1.0, 200), 60, id="a-surge-is-warned-of"),
        # From 0.5 to 3.0 at once: nothing to see coming.
        pytest.param(
            ramp(0.0, 60) + [(at_local(23, 18) + 60 + k / 2, 3.0) for k in range(20)],
            None,
            id="a-jump-is-not",
        ),
    ],
)
def test_alerts_say_since_when_the_trend_warned(
    timeline: list[tuple[float, float]], lead_s: float | None
) -> None:
    result = replay_thresholds(thresholds(elevated=2.0), timeline, SHANGHAI, WARNING_TREND)
    first = result.alerts[0]
    assert first.raised_level == "elevated"
    if lead_s is None:
        assert first.warned_at is None
    else:
        assert first.warned_at is not None
        # Estimated every REPLAY_TREND_STEP_S of the replay, not on every reading.
        assert first.raised_at - first.warned_at == pytest.approx(lead_s, abs=REPLAY_TREND_STEP_S)


def test_no_warning_without_the_trend() -> None:
    result = replay_thresholds(thresholds(elevated=2.0), ramp(1.0, 200), SHANGHAI)
    assert [a.warned_at for a in result.alerts] == [None]


def test_the_trend_changes_no_alert() -> None:
    timeline = ramp(1.0, 300)
    plain = replay_thresholds(thresholds(elevated=2.0), timeline, SHANGHAI)
    warned = replay_thresholds(thresholds(elevated=2.0), timeline, SHANGHAI, WARNING_TREND)
    assert [dataclasses.replace(a, warned_at=None) for a in warned.alerts] == plain.alerts
    assert warned.transitions == plain.transitions
