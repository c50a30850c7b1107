"""What the notifications API answers: the webhooks and their delivery log."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DeliveryStateFilter(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class WebhookPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    url: str = Field(
        description="Scheme, host and path only (user info and query may hold keys); scheme "
        "and host alone for a URL from the environment."
    )
    format: str = Field(description="standard, slack, wecom, dingtalk or feishu.")
    events: list[str]
    levels: list[str] = Field(description="Alert peak levels it is told of; empty: all.")
    sites: list[str] = Field(description="Sites it is told of; empty: all.")
    signed: bool = Field(description="Whether requests carry a Standard Webhooks signature.")
    pending: int = Field(description="Events waiting to be delivered.")
    failed: int = Field(description="Events it refused or that were given up on (kept in the log).")
    delivered: int = Field(description="Events delivered (kept in the log).")
    last_delivered_at: float | None
    failures_in_row: int = Field(description="Attempts in a row without an answer (0: healthy).")
    paused_until: float | None = Field(
        description="Backing off until then after failures; null when not paused."
    )
    last_error: str


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    webhook: str
    event_id: str = Field(description="The body's id: the same for every endpoint and retry.")
    kind: str
    site_id: str | None
    at: float = Field(description="When the event happened, epoch seconds.")
    queued_at: float = Field(description="When it was queued (again, after a retry).")
    state: DeliveryStateFilter
    attempts: int
    last_attempt_at: float | None
    delivered_at: float | None
    status_code: int | None = Field(description="The last answer's HTTP status; null: none.")
    error: str = Field(description="Why the last attempt failed, or why it was given up on.")
    body: dict[str, Any] = Field(description="What was (or is to be) POSTed.")
