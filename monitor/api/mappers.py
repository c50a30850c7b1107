"""Store records to API response models; free of FastAPI so the pipeline can reuse them.

The mappers shared with the websocket live in `monitor.bus.convert` and are re-exported
here so API code has one place to import from.
"""

from __future__ import annotations

from monitor.api.health_schemas import (
    CameraHealthPublic,
    HealthBinPublic,
    OutagePublic,
    PoorStretchPublic,
    StateTimesPublic,
    StatusChangePublic,
)
from monitor.api.schemas import ThresholdChangePublic
from monitor.bus.convert import (
    alert_event_public,
    alert_payload,
    alert_public,
    reading_payload,
    thresholds_public,
)
from monitor.bus.messages import SitePublic
from monitor.quality.health import CameraHealth, PoorStretch, StateTimes
from monitor.quality.outages import Outage, OutageSummary, StatusChange
from monitor.store.base import ThresholdChange

__all__ = [
    "alert_event_public",
    "alert_payload",
    "alert_public",
    "camera_health_public",
    "reading_payload",
    "threshold_change_public",
    "thresholds_public",
]


def threshold_change_public(change: ThresholdChange) -> ThresholdChangePublic:
    return ThresholdChangePublic(
        at=change.at,
        changed_by=change.changed_by,
        old=thresholds_public(change.old) if change.old is not None else None,
        new=thresholds_public(change.new),
    )


def state_times_public(times: StateTimes) -> StateTimesPublic:
    return StateTimesPublic(
        good_s=times.good_s,
        poor_s=times.poor_s,
        unassessed_s=times.unassessed_s,
        offline_s=times.offline_s,
        stopped_s=times.stopped_s,
        dark_s=times.dark_s,
    )


def poor_stretch_public(stretch: PoorStretch) -> PoorStretchPublic:
    return PoorStretchPublic(start=stretch.start, end=stretch.end, issues=list(stretch.issues))


def outage_public(outage: Outage) -> OutagePublic:
    return OutagePublic(
        start=outage.start,
        end=outage.end,
        reasons=list(outage.reasons),
        open_ended=outage.open_ended,
    )


def status_change_public(change: StatusChange) -> StatusChangePublic:
    return StatusChangePublic(at=change.at, status=change.status, reason=change.reason)


def camera_health_public(
    site: SitePublic, health: CameraHealth, outages: OutageSummary, hold_s: float
) -> CameraHealthPublic:
    latest = site.latest
    quality = None if latest is None else latest.image_quality
    return CameraHealthPublic(
        site_id=site.id,
        name_en=site.name_en,
        status=site.status,
        status_reason=site.status_reason,
        picture_now=None if quality is None else list(quality.issues),
        picture_at=None if latest is None else latest.captured_at,
        hold_s=hold_s,
        times=state_times_public(health.times),
        issue_s={issue.value: seconds for issue, seconds in health.issue_s.items()},
        stretch_count=health.stretch_count,
        longest=None if health.longest is None else poor_stretch_public(health.longest),
        latest=[poor_stretch_public(stretch) for stretch in health.latest],
        outage_count=outages.count,
        longest_outage=None if outages.longest is None else outage_public(outages.longest),
        outages=[outage_public(outage) for outage in outages.latest],
        bins=[
            HealthBinPublic(start=b.start, end=b.end, times=state_times_public(b.times))
            for b in health.bins
        ],
    )
