"""Bodies of the camera-health report: how each site's picture has been over a span."""

from __future__ import annotations

from pydantic import Field

from monitor.api.schemas import Body
from monitor.bus.messages import QualityIssueName, SiteStatus
from monitor.quality.outages import RecordedStatus

Epoch = float

MAX_HEALTH_SPAN_S = 31 * 24 * 3600
DEFAULT_HEALTH_SPAN_S = 24 * 3600
# Outages listed per site and span at most (a month of a camera failing every few minutes);
# past this, the latest ones.
MAX_OUTAGES_LISTED = 10_000


class StateTimesPublic(Body):
    """Seconds in each picture state; they add up to the span."""

    good_s: float = Field(description="Analysed, and the picture was good.")
    poor_s: float = Field(description="Analysed, with at least one picture issue.")
    unassessed_s: float = Field(description="Analysed with the site's picture check off.")
    offline_s: float = Field(description="Nothing analysed: the camera was reported offline.")
    stopped_s: float = Field(description="Nothing analysed: the monitor was not running.")
    dark_s: float = Field(
        description="Nothing analysed, for no recorded reason: starting up, a stream that "
        "stalled without failing, or before statuses were recorded."
    )


class HealthBinPublic(Body):
    start: Epoch
    end: Epoch
    times: StateTimesPublic


class PoorStretchPublic(Body):
    start: Epoch = Field(description="First poor reading's capture time.")
    end: Epoch = Field(description="When a good reading, a dark gap or the span ended it.")
    issues: list[QualityIssueName] = Field(description="Every issue seen in the stretch.")


class OutagePublic(Body):
    start: Epoch = Field(description="When the camera was reported offline.")
    end: Epoch = Field(description="When it came back, the monitor stopped, or the span ended.")
    reasons: list[str] = Field(description="Each distinct reason given, first seen first.")
    open_ended: bool = Field(
        description="Still offline where the span ends, or when the monitor stopped."
    )


class StatusChangePublic(Body):
    at: Epoch
    status: RecordedStatus = Field(
        description="The site's status from then on; `stopped`: the monitor shut down."
    )
    reason: str = Field(description="Why it is offline; empty otherwise.")


class CameraHealthPublic(Body):
    site_id: str
    name_en: str
    status: SiteStatus = Field(description="The site's state now.")
    status_reason: str = Field(description="Why it is offline now, if it is.")
    picture_now: list[QualityIssueName] | None = Field(
        description="The latest reading's picture issues ([]: good); null when it was not "
        "assessed or nothing has been analysed since the monitor started."
    )
    picture_at: Epoch | None = Field(
        description="Capture time of that latest reading: an offline camera's is old."
    )
    hold_s: float = Field(
        description="How long one reading vouches for the picture; a longer gap is dark."
    )
    times: StateTimesPublic
    issue_s: dict[QualityIssueName, float] = Field(
        description="Seconds with each issue; a reading with two issues counts for both."
    )
    stretch_count: int = Field(description="Poor stretches in the span.")
    longest: PoorStretchPublic | None = Field(description="The longest poor stretch.")
    latest: list[PoorStretchPublic] = Field(
        description="The latest poor stretches, oldest first (up to 10)."
    )
    outage_count: int = Field(description="Times the camera was reported offline in the span.")
    longest_outage: OutagePublic | None = Field(description="The longest of them.")
    outages: list[OutagePublic] = Field(description="The latest outages, oldest first (up to 10).")
    bins: list[HealthBinPublic] = Field(description="Equal slices of the span, in order.")


class CameraHealthReport(Body):
    since: Epoch
    until: Epoch
    bin_s: float = Field(description="Length of each bin, seconds.")
    sites: list[CameraHealthPublic] = Field(description="In the config's order.")
