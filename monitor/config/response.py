"""Who responds to alerts: the police response platforms, and the acknowledgement deadline."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from monitor.config.base import Section

SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class PlatformLocation(Section):
    lat: float = Field(ge=-90, le=90, description="WGS-84 latitude of the platform's base.")
    lon: float = Field(ge=-180, le=180, description="WGS-84 longitude of the platform's base.")


class PlatformConfig(Section):
    id: str = Field(pattern=SLUG, description="[a-z0-9_-], used in the API and the store.")
    name: str = Field(min_length=1, max_length=120, description="Shown on the map and alerts.")
    tier_minutes: Literal[1, 3, 5] = Field(
        description="Arrival target in minutes: the 1, 3 and 5 minute response circles."
    )
    location: PlatformLocation = Field(description="Where the platform is based.")


class AlertsConfig(Section):
    escalate_unacknowledged_after_s: float | None = Field(
        default=60.0,
        gt=0,
        le=86_400,
        description="An alert not acknowledged this long after it was raised is marked "
        "overdue: every operator's page highlights it and sounds. null: never.",
    )
