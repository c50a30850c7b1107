"""Alert thresholds of one site: the `sites[].thresholds` section."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, model_validator

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

    @model_validator(mode="after")
    def _levels_ascend(self) -> ThresholdsConfig:
        names = [level.name for level in self.levels]
        if "normal" in names:
            raise ValueError("'normal' is the implicit level below all others; do not list it")
        if len(set(names)) != len(names):
            raise ValueError(f"level names must be unique, got {names}")
        for lower, upper in zip(self.levels, self.levels[1:], strict=False):
            if upper.enter <= lower.enter:
                raise ValueError(
                    f"level {upper.name}: enter {upper.enter:g} is not above "
                    f"level {lower.name} enter {lower.enter:g}"
                )
        return self

    def level_names(self) -> list[str]:
        return ["normal", *(level.name for level in self.levels)]
