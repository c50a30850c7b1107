"""Camera health: how each site's picture has been over a span, from its stored readings
and status log; its outages as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from monitor.api.deps import MonitorDep, StoreDep
from monitor.api.health_csv import outages_csv
from monitor.api.health_schemas import (
    MAX_OUTAGES_LISTED,
    CameraHealthReport,
)
from monitor.api.mappers import camera_health_public
from monitor.api.routing import DocRoute
from monitor.api.spans import SinceQuery, UntilQuery, checked_span
from monitor.auth.deps import Role, require_role
from monitor.bus.messages import SitePublic
from monitor.pipeline.service import MonitorService
from monitor.quality.health import HealthTally, reading_hold_s
from monitor.quality.outages import Outage, status_spans, summarise_outages

router = APIRouter(
    prefix="/api/camera-health",
    tags=["sites"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.VIEWER))],
)

KEEP_LATEST_STRETCHES = 10


SitesQuery = Annotated[
    list[str] | None,
    Query(max_length=64, description="Only these sites (repeatable); default: all."),
]


@router.get("", response_model=CameraHealthReport)
def get_camera_health(
    monitor: MonitorDep,
    store: StoreDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    bins: Annotated[int, Query(ge=1, le=500, description="Equal slices of the span.")] = 48,
    site: SitesQuery = None,
) -> CameraHealthReport:
    """Per site: time with a good, poor or unassessed picture, or none and why; outages."""
    # A plain def: folding a day of readings per site runs in the thread pool.
    start, end = checked_span(since, until)
    report = []
    for public in _sites(monitor, site):
        hold_s = reading_hold_s(public.analysis_fps)
        status = status_spans(store.status_changes(public.id, start, end), start, end)
        tally = HealthTally(
            start, end, hold_s=hold_s, bins=bins, keep_latest=KEEP_LATEST_STRETCHES, status=status
        )
        # From one hold earlier: a reading just before the span vouches for its start.
        tally.add_all(store.picture_marks(public.id, start - hold_s, end))
        outages = summarise_outages(status, keep_latest=KEEP_LATEST_STRETCHES)
        report.append(camera_health_public(public, tally.finish(), outages, hold_s))
    return CameraHealthReport(since=start, until=end, bin_s=(end - start) / bins, sites=report)


@router.get(
    "/outages.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per outage."}},
)
def export_outages(
    monitor: MonitorDep,
    store: StoreDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    site: SitesQuery = None,
) -> Response:
    """Every site's camera outages in a span as CSV, for maintenance and SLA reports."""
    start, end = checked_span(since, until)
    rows: list[tuple[str, str, Outage]] = []
    for public in _sites(monitor, site):
        spans = status_spans(store.status_changes(public.id, start, end), start, end)
        summary = summarise_outages(spans, keep_latest=MAX_OUTAGES_LISTED)
        rows.extend((public.id, public.name_en, outage) for outage in summary.latest)
    name = f"outages-{int(start)}-{int(end)}.csv"
    return Response(
        outages_csv(rows),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _sites(monitor: MonitorService, wanted: list[str] | None) -> list[SitePublic]:
    sites = monitor.sites()
    if wanted is None:
        return sites
    known = {s.id for s in sites}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise HTTPException(404, f"no site {', '.join(repr(n) for n in unknown)}")
    return [s for s in sites if s.id in wanted]
