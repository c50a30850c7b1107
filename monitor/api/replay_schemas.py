"""Bodies of the recording, replay, export and what-if routes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from monitor.api.schemas import Body
from monitor.config.thresholds import ThresholdsConfig

MAX_EXPORT_S = 6 * 3600
MAX_WHATIF_S = 7 * 24 * 3600

Epoch = float


class RecordingPublic(Body):
    id: int
    site_id: str
    start: Epoch = Field(description="Capture time of the first frame, epoch seconds.")
    end: Epoch = Field(description="Capture time of the last frame, epoch seconds.")
    size: int = Field(description="Bytes.")
    frames: int
    width: int
    height: int
    video_url: str = Field(
        description="H.264/MP4 with range requests; the video's time t is capture time start + t."
    )
    health: Literal["ok", "missing", "corrupt"] = Field(
        description="ok, or why replay will skip it."
    )
    problem: str = Field(default="", description="What is wrong with it, for people.")


class RecordingCutPublic(Body):
    site_id: str
    closed: bool = Field(
        description="True when a segment was being written and is now closed and listed; "
        "false when none was open (waiting for an alert, paused)."
    )
    until: float | None = Field(
        description="Where the recorded footage now ends (the closed segment's last frame)."
    )


class TimeRange(Body):
    since: Epoch = Field(allow_inf_nan=False, description="Epoch seconds.")
    until: Epoch = Field(allow_inf_nan=False, description="Epoch seconds.")

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.until <= self.since:
            raise ValueError(f"until ({self.until:g}) must be after since ({self.since:g})")
        return self


class ExportRequest(TimeRange):
    site_ids: list[str] = Field(min_length=1, max_length=32, description="Sites to include.")
    blur: bool = Field(
        default=False,
        description="Blur people in the clips (cell by cell of the coarse density grid), "
        "for sharing outside the command center.",
    )

    @model_validator(mode="after")
    def _short_enough(self) -> ExportRequest:
        if self.until - self.since > MAX_EXPORT_S:
            raise ValueError(f"an export covers at most {MAX_EXPORT_S // 3600} h")
        if len(set(self.site_ids)) != len(self.site_ids):
            raise ValueError("site_ids lists a site twice")
        return self


class WhatIfRequest(TimeRange):
    site_id: str = Field(min_length=1, max_length=64)
    thresholds: ThresholdsConfig = Field(description="The candidate thresholds.")

    @model_validator(mode="after")
    def _short_enough(self) -> WhatIfRequest:
        if self.until - self.since > MAX_WHATIF_S:
            raise ValueError(f"a what-if covers at most {MAX_WHATIF_S // 86400} days")
        return self


class WhatIfAlertPublic(Body):
    raised_at: Epoch
    resolved_at: Epoch | None = Field(description="Null: still open at the range's end.")
    duration_s: float = Field(description="Until resolved, or until the range's end.")
    raised_level: str
    peak_level: str
    peak_value: float
    warned_at: Epoch | None = Field(
        description="Since when, unbroken, the live trend had projected the raised level "
        "within the site's horizon (to 5 s); null: it had not, or the trend is off."
    )
    warned_s: float | None = Field(description="How long before the raise that was.")


class WhatIfSummary(Body):
    alerts: list[WhatIfAlertPublic]
    raised: int
    alert_seconds: float = Field(description="Time spent above normal in total.")
    seconds_by_level: dict[str, float]


class WhatIfComparison(Body):
    candidate_raised_at: Epoch | None
    in_force_raised_at: Epoch | None
    minutes_earlier: float | None = Field(
        description="How much earlier the candidate raised than the thresholds in force "
        "(negative: later); null when one of them raised nothing to pair with."
    )


class WhatIfResponse(Body):
    site_id: str
    since: Epoch
    until: Epoch
    readings: int
    metric: str
    candidate: WhatIfSummary
    in_force: WhatIfSummary
    first_alert: WhatIfComparison = Field(description="The first alert of each, compared.")
    pairs: list[WhatIfComparison] = Field(
        description="Each in-force alert paired with the candidate alert overlapping it, "
        "and candidate alerts with no counterpart."
    )


class PinRequest(TimeRange):
    site_id: str | None = Field(
        default=None, max_length=64, description="The site; null pins every site."
    )
    note: str = Field(default="", max_length=500, description="Why it is kept.")


class PinPublic(Body):
    id: int
    site_id: str | None
    since: Epoch
    until: Epoch
    created_by: str
    created_at: Epoch
    note: str
