"""Request and response bodies that exist only in the REST API.

Everything that also crosses the websocket lives in `monitor.bus.messages`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from monitor.bus.messages import AlertEventPublic, AlertPublic, ThresholdsPublic


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HealthPublic(Body):
    status: Literal["ok"] = "ok"


class AlertStateFilter(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ARRIVED = "arrived"
    RESOLVED = "resolved"
    ACTIVE = "active"  # not resolved: everything an operator still has to see


class AlertDetailPublic(Body):
    alert: AlertPublic
    events: list[AlertEventPublic] = Field(description="The alert's lifecycle, oldest first.")


class AcknowledgeRequest(Body):
    note: str = Field(default="", max_length=500, description="What the operator did or saw.")


class DispatchRequest(Body):
    platform_id: str = Field(
        min_length=1, max_length=64, description="The response platform sent (GET /api/platforms)."
    )
    note: str = Field(default="", max_length=500)


class ArriveRequest(Body):
    note: str = Field(default="", max_length=500, description="What the officers found.")


class ResolveRequest(Body):
    outcome: str = Field(
        min_length=1, max_length=1000, description="How it ended: what was done, what was found."
    )


class ThresholdChangePublic(Body):
    at: float = Field(description="When the change was made, epoch seconds.")
    changed_by: str
    old: ThresholdsPublic | None = Field(description="Null for the first change of a site.")
    new: ThresholdsPublic
