"""What the response report answers: how fast alerts were acknowledged and platforms
arrived, per site and per tier (monitor.alerts.response_report)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class DurationsPublic(_Model):
    count: int = Field(description="How many were measured.")
    median_s: float | None
    p90_s: float | None = Field(description="90th percentile (nearest rank).")
    max_s: float | None


class SiteResponsePublic(_Model):
    site_id: str = Field(description="Empty for all sites together.")
    site_name: str
    alerts: int = Field(description="Alerts raised in the span.")
    by_peak_level: dict[str, int] = Field(description="Alerts by the highest level reached.")
    acknowledged: int
    never_acknowledged: int = Field(
        description="Cleared or resolved with nobody acknowledging them."
    )
    waiting_now: int = Field(description="Open and still unacknowledged.")
    overdue: int = Field(description="Passed the acknowledgement deadline unacknowledged.")
    acknowledge: DurationsPublic = Field(description="Raised to acknowledged.")
    dispatched: int
    dispatch: DurationsPublic = Field(description="Raised to the (latest) dispatch.")
    arrival: DurationsPublic = Field(description="Dispatch to arrival on site.")
    within_tier: int = Field(description="Platforms that arrived within their tier.")
    late: int = Field(description="Platforms that arrived after it, or are past it en route.")
    crowd: DurationsPublic = Field(description="Raised to cleared: how long crowds lasted.")
    still_open: int = Field(description="Not resolved yet.")
    peak_value: float | None = Field(description="The highest value any alert reached.")
    peak_alert_id: str | None


class TierPublic(_Model):
    tier_minutes: int
    dispatched: int
    within: int
    late: int
    on_the_way: int = Field(description="Not arrived, still within the tier.")
    not_arrived: int = Field(description="Resolved without arriving (called off).")
    arrival: DurationsPublic


class LateArrivalPublic(_Model):
    alert_id: str
    site_id: str
    platform: str
    tier_minutes: int
    dispatched_at: float
    took_s: float = Field(description="Dispatch to arrival, or to now while still en route.")
    arrived: bool


class ResponseReportPublic(_Model):
    since: float
    until: float
    now: float = Field(description="When the report was made: open alerts are as of then.")
    total: SiteResponsePublic
    sites: list[SiteResponsePublic]
    tiers: list[TierPublic] = Field(description="Per arrival tier (1, 3, 5 minutes) dispatched.")
    late: list[LateArrivalPublic] = Field(description="Late platforms, the worst first.")
