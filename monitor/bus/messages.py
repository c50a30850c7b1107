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
    RECORDING = "recording"
    SITE_CONFIG = "site_config"
    WEBHOOK_STATUS = "webhook_status"
    FAULT_ACK = "fault_ack"
    ALERT_TOLD = "alert_told"


SiteStatus = Literal["starting", "online", "offline"]
QualityIssueName = Literal["blank", "noise", "detail_loss", "blocking", "view_moved"]


class ImageQualityPublic(Message):
    """How far the picture behind a reading can be trusted (see models/README.md)."""

    issues: list[QualityIssueName] = Field(
        description="Empty: a good picture. blank: nothing to see (lens covered, camera "
        "blinded), the count is meaningless; noise: grainy (night, high gain), counts may be "
        "off either way; detail_loss: starved stream or blur, counts read low; blocking: heavy "
        "compression blocks, counts may be off either way; view_moved: the camera no longer "
        "looks where the site was set up (a preset left, a mount knocked), so the region and "
        "calibration do not fit the scene."
    )
    noise: float = Field(description="Sensor noise, grey levels (median over the window).")
    detail: float = Field(description="Fine-detail ratio; about 0.7-1.1 in a good picture.")
    blocking: float = Field(description="Coding-grid edge ratio; about 1.0-1.5 in a good picture.")
    spread: float = Field(description="Grey-level spread of the downscaled picture.")
    view_shift: float | None = Field(
        default=None,
        description="How far the view is from the site's set-up view: the largest move of a "
        "frame corner as a share of the frame's width (median of the last checks); null when "
        "not checked or not recognised.",
    )


class TrendPublic(Message):
    """Where the site's alert metric is heading (see `sites[].trend`); live readings only."""

    direction: Literal["rising", "falling", "steady"] = Field(
        description="Over the trend window; a change under min_rise reads as steady."
    )
    rate_per_min: float = Field(description="The metric's change per minute (robust fit).")
    value: float = Field(description="The metric now on the fitted line: steadier than one frame.")
    next_level: str | None = Field(
        description="The level above the site's current one, among the levels in force (a "
        "schedule's, in its window); null at the top level."
    )
    next_enter: float | None = Field(description="That level's enter value.")
    next_color: str | None = Field(description="That level's colour, '#rrggbb'.")
    eta_s: float | None = Field(
        description="Seconds until next_level's enter value at this rate (0: already past it, "
        "waiting out the minimum duration); null when not rising or beyond the horizon."
    )


class MotionPublic(Message):
    """How the crowd in the region moves (see `sites[].motion`)."""

    speed_m_s: float = Field(description="Mean ground speed of the people in the region, m/s.")
    pressure: float = Field(
        description="Crowd pressure in the worst peak-window square of ground: its density times "
        "the variance of its people's velocities, 1/s² (Helbing et al., 2007). High when a dense "
        "crowd is pushed in different directions; 0 where no square is dense enough."
    )
    turbulent: bool = Field(
        description="Pressure at or above the site's `motion.pressure_limit` when measured."
    )


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
    image_quality: ImageQualityPublic | None = Field(
        default=None, description="The picture's quality; null when not assessed."
    )
    trend: TrendPublic | None = Field(
        default=None,
        description="Where the metric is heading; null in stored history, while the site "
        "has too short a history, on a blank picture, or with the trend off.",
    )
    motion: MotionPublic | None = Field(
        default=None,
        description="How the crowd moves; null when not measured: motion off for the site, "
        "the first frame after a gap, a blank picture, or readings stored by earlier builds.",
    )


class AlertEventPublic(Message):
    id: str
    alert_id: str
    site_id: str
    kind: str = Field(
        description="By the system: raised, escalated, deescalated, cleared (back to normal), "
        "overdue (not acknowledged in time). By operators: acknowledged, dispatched, arrived, "
        "resolved."
    )
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
    state: str = Field(description="open, acknowledged, dispatched, arrived or resolved.")
    raised_at: float
    updated_at: float
    acknowledged_at: float | None
    acknowledged_by: str | None
    acknowledge_note: str
    resolved_at: float | None
    cleared_at: float | None = Field(
        default=None, description="When the crowd went back to normal; null while it is on."
    )
    overdue_at: float | None = Field(
        default=None, description="When it passed the acknowledgement deadline unacknowledged."
    )
    dispatched_at: float | None = None
    dispatched_by: str | None = None
    platform_id: str | None = None
    platform_name: str | None = None
    tier_minutes: int | None = Field(
        default=None, description="The dispatched platform's arrival target, minutes."
    )
    arrived_at: float | None = None
    arrived_by: str | None = None
    resolved_by: str | None = None
    outcome: str = Field(default="", description="What happened, from the resolving operator.")


class PlatformPublic(Message):
    id: str
    name: str
    tier_minutes: int = Field(description="Arrival target in minutes: 1, 3 or 5.")
    lat: float
    lon: float


class AlertPayload(Message):
    alert: AlertPublic
    event: AlertEventPublic


class SiteStatusPayload(Message):
    status: SiteStatus
    reason: str = Field(default="", description="Why a site is offline.")
    dropped_frames: int = Field(
        default=0, description="Frames skipped because analysis was behind."
    )


class RecordingStatusPublic(Message):
    status: Literal["off", "standby", "recording", "paused"] = Field(
        description="off: not recorded; standby: waiting for an alert (alerts policy); "
        "recording; paused: writing failed (disk full, I/O error), retried later."
    )
    reason: str = Field(default="", description="Why recording is paused.")
    dropped_frames: int = Field(default=0, description="Frames the encoder could not keep up with.")


class RecordingPayload(Message):
    recording: RecordingStatusPublic


class LevelPublic(Message):
    name: str
    color: str
    enter: float
    exit: float


class SchedulePublic(Message):
    name: str
    days: list[str] = Field(description="Days the window starts on: mon..sun.")
    start: str = Field(description="Local start 'HH:MM'.")
    end: str = Field(description="Local end 'HH:MM'; not after start: runs past midnight.")
    min_duration_s: float | None = None
    cooldown_s: float | None = None
    levels: list[LevelPublic] | None = Field(description="Null: the base levels apply.")


class ThresholdsPublic(Message):
    metric: str
    min_duration_s: float
    cooldown_s: float
    levels: list[LevelPublic]
    schedules: list[SchedulePublic] = Field(
        default_factory=list,
        description="Time windows (site local time) with their own values; the first that "
        "covers a moment wins.",
    )


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
    status_since: float | None = Field(
        default=None,
        description="When the site's status last changed, epoch seconds; null before its "
        "first change.",
    )
    picture_since: float | None = Field(
        default=None,
        description="Capture time of the first reading with the picture's current issues; "
        "null while the picture is good or not checked.",
    )
    level: str
    level_color: str
    thresholds: ThresholdsPublic
    latest: ReadingPayload | None
    recording: RecordingStatusPublic | None = Field(
        default=None, description="Video recording of the site; null when not recorded."
    )
    setup: SiteSetupPublic | None = Field(
        default=None, description="Region, exclusions and ground calibration of the site."
    )


class SiteSetupPublic(Message):
    """How a site's view is set up: what the setup page edits and the map draws."""

    source: str = Field(description="What the site reads, credentials masked.")
    exclude: list[list[tuple[float, float]]] = Field(
        description="Areas not counted inside the region, image pixels."
    )
    calibrated: bool = Field(
        description="True when a ground homography gives every cell its true area; false: "
        "the configured area is spread evenly over the region (uncalibrated)."
    )
    calibration: list[CalibrationPointPublic] = Field(
        description="The calibration's point pairs; empty when uncalibrated."
    )
    calibration_error_m: float | None = Field(
        description="RMS distance between the clicked and fitted ground points, metres."
    )
    area_m2: float | None = Field(description="The configured area, when uncalibrated.")
    region_area_m2: float | None = Field(
        description="Ground area counted, exclusions cut out; null before the first frame."
    )
    field_of_view: list[tuple[float, float]] = Field(
        description="The ground the camera sees, [lat, lon] points; empty when uncalibrated."
    )
    roi_lat_lon: list[tuple[float, float]] = Field(
        description="The region on the map, [lat, lon] points; empty when uncalibrated."
    )
    timezone: str = Field(description="The site's wall clock, for threshold schedules.")
    active_schedule: str | None = Field(
        description="The threshold schedule in force now; null: the base levels."
    )
    picture_limits: PictureLimitsPublic | None = Field(
        default=None, description="How the site's picture quality is judged."
    )
    count_scale: float = Field(
        default=1.0,
        description="The site's count correction, multiplied into the model's density map "
        "(set from a count check).",
    )
    motion: MotionSettingsPublic | None = Field(
        default=None, description="How the site's crowd motion is measured."
    )


class PictureLimitsPublic(Message):
    """A site's `image_quality` section, so the setup page marks a measure past its limit
    and edits the section without losing what it does not show."""

    enabled: bool = Field(description="False: the picture is not assessed.")
    window_frames: int = Field(description="Analysed frames whose median is judged.")
    noise: float = Field(description="Grainy above.")
    detail: float = Field(description="Fine detail lost below.")
    blocking: float = Field(description="Heavy compression above.")
    spread: float = Field(description="Blank below.")
    view_check: bool = Field(description="False: the view is not compared with the set-up one.")
    view_shift: float = Field(description="Moved off the set-up view above.")


class MotionSettingsPublic(Message):
    """A site's `motion` section, so the setup page edits it without losing what it does not
    show (field for field as in the YAML)."""

    enabled: bool
    max_gap_s: float
    window_s: float
    flow_width: int
    pressure_limit: float = Field(description="Crowd pressure from which it is turbulent, 1/s².")
    pressure_min_density: float = Field(description="Persons/m² below which none is taken.")
    steady_camera: bool = Field(description="The camera's own motion is taken out of the flow.")
    alert: bool = Field(description="A lasting turbulence raises an alert.")
    alert_hold_s: float = Field(description="How long it must last to raise it, or clear it.")
    alert_clear_ratio: float = Field(description="Calm again below this share of the limit.")
    alert_cooldown_s: float = Field(description="How long after one clears before another.")


class CalibrationPointPublic(Message):
    image: tuple[float, float]
    ground: tuple[float, float] = Field(description="Metres east and north of the site.")
    lat_lon: tuple[float, float] = Field(description="The same point as [lat, lon].")


class SiteConfigPayload(Message):
    """A site's setup changed (source, region, calibration): redraw it."""

    site: SitePublic
    kind: str = Field(
        description="What changed: source, region, calibration, picture, motion or count (its "
        "scale)."
    )
    changed_by: str


WebhookProblem = Literal["", "not_answering", "refusing"]


class WebhookHealthPublic(Message):
    """Whether a webhook (README, "Notifications") is taking the events sent to it."""

    name: str
    problem: WebhookProblem = Field(
        description="Empty: healthy. not_answering: no answer, 408, 429 or 5xx; its events wait "
        "and are retried. refusing: its last event was refused (another 4xx) and failed."
    )
    since: float | None = Field(description="When the problem began; null when healthy.")
    failures_in_row: int = Field(description="Attempts in a row without an answer.")
    next_try_at: float | None = Field(
        description="When the waiting events are tried again; null unless not answering."
    )


class WebhookStatusPayload(Message):
    webhook: WebhookHealthPublic


FaultKind = Literal["offline", "starting", "stalled", "picture"]


class FaultAckPublic(Message):
    """An operator has taken a site's camera fault in hand (README, "Camera faults")."""

    site_id: str
    kind: FaultKind = Field(
        description="The fault acknowledged, as the live page names it: offline, starting (not "
        "connected yet), stalled (no new picture) or picture (a poor one)."
    )
    since: float = Field(description="When that fault began: it names the episode.")
    at: float
    by: str
    note: str = Field(description="What is being done, e.g. a repair ticket.")
    expected_back: float | None = Field(
        default=None,
        description="When the camera is promised back (a booked repair): the acknowledgement "
        "lapses then, and a fault still there is nobody's again. None: until it recovers.",
    )


class FaultAckPayload(Message):
    ack: FaultAckPublic


class AlertToldPublic(Message):
    """How a webhook took the latest step of an alert it was sent (README, "Notifications")."""

    alert_id: str
    webhook: str
    kind: str = Field(description="The alert step sent: raised, escalated, ...")
    state: Literal["delivered", "failed"]
    at: float = Field(description="When it was delivered, or failed for good.")
    error: str = Field(description="Why it failed; empty when delivered.")


class AlertToldPayload(Message):
    told: AlertToldPublic


class SnapshotPayload(Message):
    sites: list[SitePublic]
    open_alerts: list[AlertPublic]
    webhooks: list[WebhookHealthPublic] = Field(
        default_factory=list,
        description="Every configured webhook's health, so a page opened mid-outage knows.",
    )
    told: list[AlertToldPublic] = Field(
        default_factory=list,
        description="Recent alerts' webhooks: the latest step each took, or failed to.",
    )
    fault_acks: list[FaultAckPublic] = Field(
        default_factory=list,
        description="The latest acknowledgement of each site's camera fault; it applies while "
        "the site's fault has the same kind and since.",
    )
    resync: bool = Field(
        description="True when the client asked to resume from an event id that is no "
        "longer buffered: it must rebuild its state from this snapshot."
    )


Payload = (
    ReadingPayload
    | AlertPayload
    | SiteStatusPayload
    | ThresholdsPayload
    | SnapshotPayload
    | RecordingPayload
    | SiteConfigPayload
    | WebhookStatusPayload
    | FaultAckPayload
    | AlertToldPayload
)


class Envelope(Message):
    """The one shape of every websocket message."""

    id: int = Field(description="Increasing event id; 0 for the per-connection snapshot.")
    type: MessageType
    ts: float = Field(description="When the event was published, epoch seconds.")
    site_id: str | None = Field(description="The site the event is about; null for snapshots.")
    payload: Payload
