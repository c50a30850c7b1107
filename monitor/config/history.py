"""How long the stored readings are kept: the top-level `history` section.

A site analysed at 2 frames/s stores 170,000 readings a day, each with its density grid:
233 MB a day (bench/history_bench.py), so five sites grow the store by 1.2 GB a day.
Ordinary readings go after `readings_max_age_h`; the readings around an alert are the
numbers behind it, and stay for `alert_readings_max_age_h`; readings in a pinned range are
never deleted.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from monitor.config.base import Section


class HistoryConfig(Section):
    readings_max_age_h: float = Field(
        default=24.0 * 30,
        gt=0,
        le=24 * 3650,
        description="Stored readings older than this are deleted (those of alerts and pins "
        "excepted).",
    )
    alert_readings_max_age_h: float = Field(
        default=24.0 * 3650,
        gt=0,
        le=24 * 36500,
        description="Readings within `alert_margin_s` of an alert (raised to cleared) are "
        "kept this long instead: the numbers behind an alert outlive its footage.",
    )
    alert_margin_s: float = Field(
        default=600,
        ge=0,
        le=86_400,
        description="Readings this long before an alert was raised and after it cleared "
        "are kept with it: how the crowd built up and went.",
    )
    sweep_interval_s: float = Field(
        default=3600,
        ge=10,
        le=7 * 86_400,
        description="How often old readings are deleted.",
    )

    @model_validator(mode="after")
    def _alert_readings_kept_longer(self) -> HistoryConfig:
        if self.alert_readings_max_age_h < self.readings_max_age_h:
            raise ValueError(
                f"alert_readings_max_age_h {self.alert_readings_max_age_h:g} is below "
                f"readings_max_age_h {self.readings_max_age_h:g}: the readings of alerts are "
                "meant to be kept at least as long"
            )
        return self
