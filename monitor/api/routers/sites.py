"""Sites: their live state, reading and status history, latest frame and alert thresholds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from monitor.api.deps import MonitorDep, SiteDep, StoreDep
from monitor.api.health_schemas import (
    MAX_OUTAGES_LISTED,
    OutagePublic,
    StatusChangePublic,
)
from monitor.api.mappers import (
    outage_public,
    reading_payload,
    status_change_public,
    threshold_change_public,
    thresholds_public,
)
from monitor.api.routing import DocRoute
from monitor.api.schemas import ThresholdChangePublic
from monitor.api.spans import checked_span
from monitor.auth.deps import AuditDep, Role, SupervisorUser, require_role
from monitor.bus.messages import ReadingPayload, SitePublic, ThresholdsPublic
from monitor.config.thresholds import ThresholdsConfig
from monitor.quality.outages import status_spans, summarise_outages

router = APIRouter(
    prefix="/api/sites",
    tags=["sites"],
    route_class=DocRoute,
    # Every route needs a login; changes ask for more below.
    dependencies=[Depends(require_role(Role.VIEWER))],
)

EpochSeconds = Annotated[
    float | None, Query(allow_inf_nan=False, description="Epoch seconds, on captured_at.")
]


@router.get("", response_model=list[SitePublic])
def list_sites(monitor: MonitorDep) -> list[SitePublic]:
    """Every monitored site with its live state."""
    return monitor.sites()


@router.get("/{site_id}", response_model=SitePublic)
def get_site(site: SiteDep) -> SitePublic:
    """One site with its live state."""
    return site


@router.get("/{site_id}/readings", response_model=list[ReadingPayload])
def list_readings(
    site: SiteDep,
    store: StoreDep,
    since: EpochSeconds = None,
    until: EpochSeconds = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[ReadingPayload]:
    """A site's stored readings within [since, until], oldest first; the latest if over limit."""
    if since is not None and until is not None and since > until:
        raise HTTPException(422, f"since ({since:g}) is after until ({until:g})")
    return [reading_payload(r) for r in store.readings(site.id, since, until, limit)]


@router.get(
    "/{site_id}/snapshot.jpg",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The frame as JPEG."},
        503: {"description": "No frame has been analysed yet."},
    },
)
def get_snapshot(
    site: SiteDep,
    monitor: MonitorDep,
    overlay: Annotated[bool, Query(description="Draw the density heat map over it.")] = True,
) -> Response:
    """The site's latest analysed frame."""
    # A plain def: encoding the JPEG runs in the thread pool, not on the event loop.
    jpeg = monitor.snapshot_jpeg(site.id, overlay)
    if jpeg is None:
        raise HTTPException(
            503, f"no frame analysed yet at site '{site.id}'", headers={"Retry-After": "2"}
        )
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.put("/{site_id}/thresholds", response_model=ThresholdsPublic)
def put_thresholds(
    site: SiteDep,
    monitor: MonitorDep,
    user: SupervisorUser,
    audit: AuditDep,
    thresholds: ThresholdsConfig,
) -> ThresholdsPublic:
    """Replaces a site's alert thresholds; they apply from its next reading (supervisor)."""
    old = site.thresholds
    monitor.set_thresholds(site.id, thresholds, by=user.name)
    new = thresholds_public(thresholds)
    audit.record(
        "thresholds.changed",
        site.id,
        {"old": old.model_dump(mode="json"), "new": new.model_dump(mode="json")},
    )
    return new


@router.get("/{site_id}/thresholds/history", response_model=list[ThresholdChangePublic])
def list_threshold_changes(
    site: SiteDep, store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[ThresholdChangePublic]:
    """Who changed a site's thresholds, when and how, newest first."""
    return [threshold_change_public(c) for c in store.threshold_changes(site.id, limit)]


@router.get("/{site_id}/status-history", response_model=list[StatusChangePublic])
def list_status_changes(
    site: SiteDep,
    store: StoreDep,
    since: Annotated[float | None, Query(allow_inf_nan=False, description="Epoch seconds.")] = None,
    until: Annotated[float | None, Query(allow_inf_nan=False, description="Epoch seconds.")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[StatusChangePublic]:
    """A site's status changes (offline and why; monitor start, stop), newest first."""
    if since is not None and until is not None and since > until:
        raise HTTPException(422, f"since ({since:g}) is after until ({until:g})")
    return [status_change_public(c) for c in store.status_history(site.id, since, until, limit)]


@router.get("/{site_id}/outages", response_model=list[OutagePublic])
def list_outages(
    site: SiteDep,
    store: StoreDep,
    since: Annotated[float, Query(allow_inf_nan=False, description="Epoch seconds.")],
    until: Annotated[float, Query(allow_inf_nan=False, description="Epoch seconds.")],
) -> list[OutagePublic]:
    """When the site's camera was offline within [since, until], and why, oldest first."""
    since, until = checked_span(since, until)
    spans = status_spans(store.status_changes(site.id, since, until), since, until)
    summary = summarise_outages(spans, keep_latest=MAX_OUTAGES_LISTED)
    return [outage_public(outage) for outage in summary.latest]
