"""Recording of site video: the per-site `sites[].recording` and top-level `retention` sections."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from monitor.config.base import Section


class RecordingPolicy(StrEnum):
    CONTINUOUS = "continuous"
    ALERTS = "alerts"  # from pre_s before an alert is raised until post_s after it clears
    OFF = "off"


class RecordingConfig(Section):
    policy: RecordingPolicy = Field(
        default=RecordingPolicy.OFF,
        description="continuous: every frame; alerts: only around alerts (pre_s before a "
        "raise until post_s after it clears); off: nothing.",
    )
    pre_s: float = Field(
        default=10.0,
        ge=0,
        le=60,
        description="alerts policy: seconds of video kept from before an alert is raised "
        "(held in memory as raw frames, so keep it short).",
    )
    post_s: float = Field(
        default=30.0, ge=0, le=3600, description="alerts policy: seconds recorded after it clears."
    )
    segment_s: float = Field(
        default=60.0, ge=2, le=3600, description="Length of one recorded file, in seconds."
    )
    queue_frames: int = Field(
        default=32,
        ge=2,
        le=10_000,
        description="Frames waiting for the encoder; more are dropped and counted.",
    )


class RetentionConfig(Section):
    max_age_h: float = Field(
        default=72.0, gt=0, le=24 * 3650, description="Recordings older than this are deleted."
    )
    alert_max_age_h: float = Field(
        default=24.0 * 30,
        gt=0,
        le=24 * 3650,
        description="Recordings overlapping an alert are kept this long instead.",
    )
    disk_budget_mb: float = Field(
        default=10_000.0,
        gt=0,
        le=100_000_000,
        description="All recordings together stay under this; oldest unpinned go first.",
    )
    sweep_interval_s: float = Field(
        default=60.0, ge=1, le=86_400, description="How often retention runs."
    )

    @model_validator(mode="after")
    def _alerts_kept_longer(self) -> RetentionConfig:
        if self.alert_max_age_h < self.max_age_h:
            raise ValueError(
                f"alert_max_age_h {self.alert_max_age_h:g} is below max_age_h {self.max_age_h:g}: "
                "recordings of alerts are meant to be kept at least as long"
            )
        return self
