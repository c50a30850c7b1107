"""Everything that crosses the websocket: one envelope, typed payloads.

The same payload models serve the REST API, so a reading or an alert looks the same
whichever way a client gets it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class MessageType(StrEnum):
    SNAPSHOT = "snapshot"
    READING = "reading"
    ALERT = "alert"
    SITE_STATUS = "site_status"
    THRESHOLDS = "thresholds"


SiteStatus = Literal["starting", "online", "offline"]


class ReadingPayload(Message):
    seq: int = Field(description="Frame number within the site's source session.")
    captured_at: float = Field(description="When the frame was captured, epoch seconds.")
    analysed_at: float = Field(description="When its analysis finished, epoch seconds.")
    count: float = Field(description="Estimated people inside the region of interest.")
    mean_density: float = Field(description="People per m² over the whole region.")
    peak_density: float = Field(description="People per m² in the densest ground window.")
    level: str = Field(description="Alert level after this reading.")
    grid: list[list[float | None]] = Field(
        description="Coarse persons/m² grid laid evenly over the frame, rows top to bottom; "
        "null outside the region."
    )
    frame_width: int
    frame_height: int


class AlertEventPublic(Message):
    id: str
    alert_id: str
    site_id: str
    kind: str = Field(description="raised, escalated, deescalated, acknowledged or resolved.")
    level: str
    value: float
    at: float
    by: str
    note: str


class AlertPublic(Message):
    id: str
    site_id: str
    metric: str
    level: str
    peak_level: str
    peak_value: float
    state: str = Field(description="open, acknowledged or resolved.")
    raised_at: float
    updated_at: float
    acknowledged_at: float | None
    acknowledged_by: str | None
    acknowledge_note: str
    resolved_at: float | None


class AlertPayload(Message):
    alert: AlertPublic
    event: AlertEventPublic


class SiteStatusPayload(Message):
    status: SiteStatus
    reason: str = Field(default="", description="Why a site is offline.")
    dropped_frames: int = Field(
        default=0, description="Frames skipped because analysis was behind."
    )


class LevelPublic(Message):
    name: str
    color: str
    enter: float
    exit: float


class ThresholdsPublic(Message):
    metric: str
    min_duration_s: float
    cooldown_s: float
    levels: list[LevelPublic]


class ThresholdsPayload(Message):
    thresholds: ThresholdsPublic
    changed_by: str


class SitePublic(Message):
    id: str
    name_en: str
    name_zh: str
    lat: float
    lon: float
    location_approximate: bool
    analysis_fps: float
    roi: list[tuple[float, float]]
    status: SiteStatus
    status_reason: str
    level: str
    level_color: str
    thresholds: ThresholdsPublic
    latest: ReadingPayload | None


class SnapshotPayload(Message):
    sites: list[SitePublic]
    open_alerts: list[AlertPublic]
    resync: bool = Field(
        description="True when the client asked to resume from an event id that is no "
        "longer buffered: it must rebuild its state from this snapshot."
    )


Payload = ReadingPayload | AlertPayload | SiteStatusPayload | ThresholdsPayload | SnapshotPayload


class Envelope(Message):
    """The one shape of every websocket message."""

    id: int = Field(description="Increasing event id; 0 for the per-connection snapshot.")
    type: MessageType
    ts: float = Field(description="When the event was published, epoch seconds.")
    site_id: str | None = Field(description="The site the event is about; null for snapshots.")
    payload: Payload
