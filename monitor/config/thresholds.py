"""Alert thresholds of one site: the `sites[].thresholds` section."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section


class Metric(StrEnum):
    """Which value of a reading the levels are compared with."""

    PEAK_DENSITY = "peak_density"
    MEAN_DENSITY = "mean_density"
    COUNT = "count"


HexColor = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")]


class LevelConfig(Section):
    name: str = Field(
        min_length=1,
        max_length=32,
        pattern=r"^[a-z][a-z0-9_-]*$",
        description="Level name shown to operators, e.g. 'elevated'.",
    )
    color: HexColor = Field(description="Marker and feed colour, '#rrggbb'.")
    enter: float = Field(
        gt=0, le=100_000, description="Value at or above which the level is entered."
    )
    exit: float = Field(
        ge=0,
        le=100_000,
        description="Value below which the level is left (hysteresis): must be below `enter`.",
    )

    @model_validator(mode="after")
    def _exit_below_enter(self) -> LevelConfig:
        if self.exit >= self.enter:
            raise ValueError(
                f"level {self.name}: exit {self.exit:g} is not below enter {self.enter:g}"
            )
        return self


def check_levels(levels: list[LevelConfig]) -> None:
    """Level lists are ordered lowest first with unique names; 'normal' is implicit."""
    names = [level.name for level in levels]
    if "normal" in names:
        raise ValueError("'normal' is the implicit level below all others; do not list it")
    if len(set(names)) != len(names):
        raise ValueError(f"level names must be unique, got {names}")
    for lower, upper in pairwise(levels):
        if upper.enter <= lower.enter:
            raise ValueError(
                f"level {upper.name}: enter {upper.enter:g} is not above "
                f"level {lower.name} enter {lower.enter:g}"
            )


Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAYS: tuple[Day, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


def clock_minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class ScheduleConfig(Section):
    """A time window with its own levels, e.g. stricter ones for holiday evenings.

    Fields left out keep the site's base value. A window whose end is not after its start
    runs past midnight into the next day.
    """

    name: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Schedule name shown to operators, e.g. 'holiday-evening'.",
    )
    days: list[Day] = Field(
        default_factory=lambda: list(DAYS),
        min_length=1,
        max_length=7,
        description="Days the window starts on (site local time): mon..sun; all by default.",
    )
    start: str = Field(description="Local start time 'HH:MM' (inclusive).")
    end: str = Field(description="Local end time 'HH:MM' (exclusive); '24:00' is midnight.")
    min_duration_s: float | None = Field(
        default=None, ge=0, le=3600, description="Overrides min_duration_s inside the window."
    )
    cooldown_s: float | None = Field(
        default=None, ge=0, le=86_400, description="Overrides cooldown_s inside the window."
    )
    levels: list[LevelConfig] | None = Field(
        default=None,
        min_length=1,
        max_length=8,
        description="Replaces the levels inside the window; lowest first, enter ascending.",
    )

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError(f"'{value}' is not a time of day 'HH:MM' (00:00 to 24:00)")
        return value

    @model_validator(mode="after")
    def _window(self) -> ScheduleConfig:
        if clock_minutes(self.start) == clock_minutes(self.end):
            raise ValueError(f"schedule {self.name}: start and end are the same time")
        if self.start == "24:00":
            raise ValueError(f"schedule {self.name}: start 24:00 is not a start; use 00:00")
        if len(set(self.days)) != len(self.days):
            raise ValueError(f"schedule {self.name}: days repeat, got {self.days}")
        if self.levels is not None:
            check_levels(self.levels)
        return self

    def covers(self, local: datetime) -> bool:
        """Whether the local wall-clock time falls inside this window."""
        minute = local.hour * 60 + local.minute
        start, end = clock_minutes(self.start), clock_minutes(self.end)
        today = DAYS[local.weekday()]
        yesterday = DAYS[(local.weekday() - 1) % 7]
        if start < end:
            return today in self.days and start <= minute < end
        return (today in self.days and minute >= start) or (yesterday in self.days and minute < end)


class ThresholdsConfig(Section):
    metric: Metric = Field(
        default=Metric.PEAK_DENSITY,
        description="Reading value the levels apply to: peak_density and mean_density in "
        "persons/m², count in people.",
    )
    min_duration_s: float = Field(
        default=5.0,
        ge=0,
        le=3600,
        description="How long a level's condition must hold before the level is entered or left.",
    )
    cooldown_s: float = Field(
        default=60.0,
        ge=0,
        le=86_400,
        description="After leaving a level, how long before that same level may be raised again.",
    )
    levels: list[LevelConfig] = Field(
        min_length=1,
        max_length=8,
        description="Alert levels above normal, lowest first; enter values strictly ascending.",
    )

    schedules: list[ScheduleConfig] = Field(
        default_factory=list,
        max_length=16,
        description="Time windows with their own levels, in the site's local time; the "
        "first window that covers a moment wins, outside all of them the levels above apply.",
    )

    @model_validator(mode="after")
    def _levels_ascend(self) -> ThresholdsConfig:
        check_levels(self.levels)
        names = [schedule.name for schedule in self.schedules]
        if len(set(names)) != len(names):
            raise ValueError(f"schedule names must be unique, got {names}")
        return self

    def active_schedule(self, local: datetime) -> ScheduleConfig | None:
        return next((s for s in self.schedules if s.covers(local)), None)

    def effective(self, local: datetime) -> ThresholdsConfig:
        """The plain thresholds (no schedules) that apply at a local wall-clock time."""
        return self.resolved(self.active_schedule(local))

    def resolved(self, schedule: ScheduleConfig | None) -> ThresholdsConfig:
        if schedule is None:
            return self.model_copy(update={"schedules": []}) if self.schedules else self
        return self.model_copy(
            update={
                "schedules": [],
                "levels": schedule.levels if schedule.levels is not None else self.levels,
                "min_duration_s": (
                    schedule.min_duration_s
                    if schedule.min_duration_s is not None
                    else self.min_duration_s
                ),
                "cooldown_s": (
                    schedule.cooldown_s if schedule.cooldown_s is not None else self.cooldown_s
                ),
            }
        )

    def level_names(self) -> list[str]:
        return ["normal", *(level.name for level in self.levels)]
