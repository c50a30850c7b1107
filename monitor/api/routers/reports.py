"""After-action reports: how fast the command center responded to the alerts of a span."""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from monitor.alerts.model import Alert
from monitor.alerts.response_report import SiteResponse, response_report
from monitor.api.deps import MonitorDep, StoreDep
from monitor.api.report_csv import alerts_csv
from monitor.api.report_schemas import ResponseReportPublic, SiteResponsePublic
from monitor.api.routing import DocRoute
from monitor.api.spans import SinceQuery, UntilQuery, checked_span
from monitor.auth.deps import Role, require_role
from monitor.store.base import Store

router = APIRouter(
    prefix="/api/reports",
    tags=["alerts"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.OPERATOR))],
)

# A month of a busy deployment: more than this in one span is refused, not truncated.
MAX_ALERTS = 20_000

SiteQuery = Annotated[
    str | None,
    Query(max_length=64, description="Only this site (also one no longer configured)."),
]


def _alerts(store: Store, since: float, until: float, site: str | None) -> list[Alert]:
    alerts = store.alerts_raised(since, until, site, MAX_ALERTS + 1)
    if len(alerts) > MAX_ALERTS:
        raise HTTPException(422, f"more than {MAX_ALERTS} alerts in the span; ask for less")
    return alerts


def _public(response: SiteResponse, names: dict[str, str]) -> SiteResponsePublic:
    name = names.get(response.site_id, "") if response.site_id else "All sites"
    return SiteResponsePublic.model_validate({**asdict(response), "site_name": name})


@router.get("/response", response_model=ResponseReportPublic)
def get_response_report(
    monitor: MonitorDep,
    store: StoreDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    site: SiteQuery = None,
) -> ResponseReportPublic:
    """Per site and tier: alerts, time to acknowledge, dispatch and arrive, late platforms."""
    start, end = checked_span(since, until)
    names = {s.id: s.name_en for s in monitor.sites()}
    # An unknown site is not a 404: a site taken out of the config keeps its history.
    alerts = _alerts(store, start, end, site)
    site_ids = [site] if site is not None else list(names)
    report = response_report(alerts, start, end, time.time(), site_ids)
    return ResponseReportPublic.model_validate(
        {
            **asdict(report),
            "total": _public(report.total, names),
            "sites": [_public(s, names) for s in report.sites],
        }
    )


@router.get(
    "/response/alerts.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per alert."}},
)
def export_response_alerts(
    monitor: MonitorDep,
    store: StoreDep,
    since: SinceQuery = None,
    until: UntilQuery = None,
    site: SiteQuery = None,
) -> Response:
    """The span's alerts as CSV, each with its response times, oldest first."""
    start, end = checked_span(since, until)
    names = {s.id: s.name_en for s in monitor.sites()}
    rows = alerts_csv(_alerts(store, start, end, site), names)
    name = f"alerts-{int(start)}-{int(end)}.csv"
    return Response(
        rows,
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
