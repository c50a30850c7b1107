from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from monitor.config.thresholds import ScheduleConfig, ThresholdsConfig

STRICT = [{"name": "elevated", "color": "#f5c542", "enter": 1.0, "exit": 0.5}]
BASE: dict[str, Any] = {
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 2.0, "exit": 1.5}],
    "min_duration_s": 5,
    "cooldown_s": 60,
}


def schedule(**changes: Any) -> ScheduleConfig:
    return ScheduleConfig.model_validate(
        {"name": "evening", "start": "18:00", "end": "24:00"} | changes
    )


# 2026-11-28 is a Saturday.
@pytest.mark.parametrize(
    ("window", "local", "covered"),
    [
        pytest.param(schedule(), datetime(2026, 11, 28, 18, 0), True, id="start-inclusive"),
        pytest.param(schedule(), datetime(2026, 11, 28, 23, 59), True, id="until-midnight"),
        pytest.param(schedule(), datetime(2026, 11, 28, 17, 59), False, id="before-start"),
        pytest.param(schedule(), datetime(2026, 11, 29, 19, 0), True, id="every-day-by-default"),
        pytest.param(schedule(days=["sat"]), datetime(2026, 11, 27, 19, 0), False, id="other-day"),
        pytest.param(
            schedule(days=["sat"], start="22:00", end="02:00"),
            datetime(2026, 11, 29, 1, 30),
            True,
            id="overnight-runs-into-next-day",
        ),
        pytest.param(
            schedule(days=["sat"], start="22:00", end="02:00"),
            datetime(2026, 11, 28, 1, 30),
            False,
            id="overnight-not-the-morning-of-its-day",
        ),
        pytest.param(
            schedule(start="00:00", end="24:00"), datetime(2026, 11, 28, 3, 0), True, id="all-day"
        ),
    ],
)
def test_window_covers(window: ScheduleConfig, local: datetime, covered: bool) -> None:
    assert window.covers(local) is covered


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"start": "25:00"}, "not a time of day", id="bad-hour"),
        pytest.param({"end": "18:00"}, "same time", id="empty-window"),
        pytest.param({"start": "24:00", "end": "02:00"}, "use 00:00", id="start-at-24"),
        pytest.param({"days": ["sat", "sat"]}, "days repeat", id="repeated-day"),
        pytest.param({"days": ["holiday"]}, "Input should be", id="unknown-day"),
        pytest.param(
            {"levels": [*STRICT, {"name": "high", "color": "#f08c00", "enter": 0.8, "exit": 0.5}]},
            "not above",
            id="levels-not-ascending",
        ),
        pytest.param(
            {"levels": [{"name": "x", "color": "#f08c00", "enter": 1, "exit": 2}]},
            "exit 2 is not below enter 1",
            id="exit-above-enter",
        ),
    ],
)
def test_bad_schedules_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        schedule(**changes)


def test_effective_thresholds_take_the_first_covering_window() -> None:
    thresholds = ThresholdsConfig.model_validate(
        BASE
        | {
            "schedules": [
                {"name": "evening", "start": "18:00", "end": "24:00", "levels": STRICT},
                {"name": "late", "start": "20:00", "end": "23:00", "cooldown_s": 5},
            ]
        }
    )
    evening = thresholds.effective(datetime(2026, 11, 28, 21, 0))
    assert evening.levels[0].enter == 1.0
    assert (evening.min_duration_s, evening.cooldown_s, evening.schedules) == (5, 60, [])
    daytime = thresholds.effective(datetime(2026, 11, 28, 12, 0))
    assert daytime == ThresholdsConfig.model_validate(BASE)


def test_schedule_names_are_unique() -> None:
    with pytest.raises(ValidationError, match="schedule names must be unique"):
        ThresholdsConfig.model_validate(
            BASE | {"schedules": [schedule().model_dump(), schedule(start="01:00").model_dump()]}
        )
