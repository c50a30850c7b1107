"""Setting a site up from the page: region, exclusions, ground calibration, source, and a
what-if preview of proposed thresholds. Changes are for supervisors, and audited."""

from __future__ import annotations

import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel

from monitor.alerts.turbulence import TURBULENCE_METRIC, turbulence_thresholds
from monitor.alerts.whatif import WhatIfResult, replay_thresholds
from monitor.api.deps import MonitorDep, SiteDep, StoreDep
from monitor.api.routing import DocRoute
from monitor.api.setup_schemas import (
    CalibrationFitPublic,
    CalibrationRequest,
    MotionPreviewRequest,
    PreviewPublic,
    PreviewRequest,
    RegionRequest,
    SiteChangePublic,
    SourceRequest,
    ViewReferencePublic,
    WhatIfAlertPublic,
    WhatIfPublic,
    WhatIfTransitionPublic,
)
from monitor.auth.deps import AuditDep, Role, SupervisorUser, require_role
from monitor.bus.messages import SitePublic
from monitor.config.motion import MotionConfig
from monitor.config.quality import ImageQualityConfig
from monitor.ingest.redact import redact_source
from monitor.measure.geo import to_local
from monitor.measure.setup import (
    SetupError,
    check_site,
    field_of_view,
    ground_grid,
    origin_of,
    polygon_lat_lon,
    region_area_m2,
)
from monitor.pipeline.site_setup import SiteChangeError, merged_site
from monitor.quality.view import MIN_PRINT_CORNERS
from monitor.recording.whatif import metric_series, pressure_series, turbulence_series
from monitor.store.base import Store, StoredReading
from monitor.store.view_references import ViewReference

router = APIRouter(
    prefix="/api/sites",
    tags=["site setup"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.VIEWER))],
)

MAX_PREVIEW_READINGS = 10_000


def _refused(error: SiteChangeError | SetupError) -> HTTPException:
    return HTTPException(422, f"{error.field}: {error.reason}")


def _section_change(
    audit: AuditDep, action: str, site_id: str, old: BaseModel, new: BaseModel, site: SitePublic
) -> SitePublic:
    """Audits a change of one of the site's YAML sections, as it was and as it is now."""
    audit.record(
        action, site_id, {"old": old.model_dump(mode="json"), "new": new.model_dump(mode="json")}
    )
    return site


def _change(
    audit: AuditDep, action: str, site_id: str, old: SitePublic, new: SitePublic
) -> SitePublic:
    before, after = old.setup, new.setup
    audit.record(
        action,
        site_id,
        {
            "old": {"roi": old.roi, "setup": before.model_dump(mode="json") if before else None},
            "new": {"roi": new.roi, "setup": after.model_dump(mode="json") if after else None},
        },
    )
    return new


@router.put("/{site_id}/region", response_model=SitePublic)
def put_region(
    site: SiteDep, monitor: MonitorDep, user: SupervisorUser, audit: AuditDep, body: RegionRequest
) -> SitePublic:
    """Replaces a site's region and exclusions; they apply from its next frame (supervisor)."""
    try:
        new = monitor.set_region(site.id, body.roi, body.exclude, user.name, body.area_m2)
    except SiteChangeError as error:
        raise _refused(error) from None
    return _change(audit, "site.region.changed", site.id, site, new)


@router.post("/{site_id}/calibration/fit", response_model=CalibrationFitPublic)
def fit_calibration(
    site: SiteDep, monitor: MonitorDep, _user: SupervisorUser, body: CalibrationRequest
) -> CalibrationFitPublic:
    """Fits a ground calibration without applying it: its error, area and ground grid."""
    current = monitor.site_config(site.id)
    ground_fields = {"calibration": [p.model_dump(mode="json") for p in body.points]}
    try:
        proposed = merged_site(current, {"ground": ground_fields})
        ground = check_site(proposed)
        frame = _frame_size(site)
        area = region_area_m2(proposed, ground, frame)
    except (SiteChangeError, SetupError) as error:
        raise _refused(error) from None
    image = np.asarray([p.image for p in body.points], dtype=np.float64)
    clicked = np.asarray(
        [p.ground if p.ground is not None else _local(p.lat_lon, site) for p in body.points]
    )
    residuals = np.sqrt(((ground.to_ground(image) - clicked) ** 2).sum(axis=1))
    grid = ground_grid(ground, proposed.roi, body.grid_spacing_m)
    origin = origin_of(proposed)
    return CalibrationFitPublic(
        fit_error_m=round(ground.fit_error_m, 3),
        residuals_m=[round(float(r), 3) for r in residuals],
        region_area_m2=round(area, 2),
        frame_width=frame[0],
        frame_height=frame[1],
        grid_spacing_m=grid.spacing_m,
        grid=grid.lines,
        field_of_view=field_of_view(ground, frame, proposed.roi, origin),
        roi_lat_lon=polygon_lat_lon(ground, proposed.roi, origin),
    )


@router.put("/{site_id}/calibration", response_model=SitePublic)
def put_calibration(
    site: SiteDep,
    monitor: MonitorDep,
    user: SupervisorUser,
    audit: AuditDep,
    body: CalibrationRequest,
) -> SitePublic:
    """Applies a ground calibration: every cell gets its true ground area (supervisor)."""
    try:
        new = monitor.set_calibration(site.id, body.points, user.name)
    except SiteChangeError as error:
        raise _refused(error) from None
    return _change(audit, "site.calibration.changed", site.id, site, new)


@router.delete("/{site_id}/calibration", response_model=SitePublic)
def delete_calibration(
    site: SiteDep,
    monitor: MonitorDep,
    user: SupervisorUser,
    audit: AuditDep,
    area_m2: Annotated[
        float | None,
        Query(gt=0, le=1_000_000, description="Walkable area; absent: the configured one."),
    ] = None,
) -> SitePublic:
    """Drops the calibration: one scale from the region's area again (supervisor)."""
    try:
        new = monitor.clear_calibration(site.id, area_m2, user.name)
    except SiteChangeError as error:
        raise _refused(error) from None
    return _change(audit, "site.calibration.removed", site.id, site, new)


@router.put("/{site_id}/source", response_model=SitePublic)
def put_source(
    site: SiteDep, monitor: MonitorDep, user: SupervisorUser, audit: AuditDep, body: SourceRequest
) -> SitePublic:
    """Points a site at another camera or file; the old one stops (supervisor)."""
    try:
        new = monitor.set_source(site.id, body.source, body.start_offset_s, user.name)
    except SiteChangeError as error:
        raise _refused(error) from None
    return _change(audit, "site.source.changed", site.id, site, new)


@router.put("/{site_id}/picture-limits", response_model=SitePublic)
def put_picture_limits(
    site: SiteDep,
    monitor: MonitorDep,
    user: SupervisorUser,
    audit: AuditDep,
    limits: ImageQualityConfig,
) -> SitePublic:
    """Sets a site's picture-quality limits; the next frame is judged by them (supervisor)."""
    before = monitor.site_config(site.id).image_quality
    try:
        new = monitor.set_image_quality(site.id, limits, user.name)
    except SiteChangeError as error:
        raise _refused(error) from None
    return _section_change(audit, "site.picture_limits.changed", site.id, before, limits, new)


@router.put("/{site_id}/motion", response_model=SitePublic)
def put_motion(
    site: SiteDep,
    monitor: MonitorDep,
    user: SupervisorUser,
    audit: AuditDep,
    motion: MotionConfig,
) -> SitePublic:
    """Sets a site's crowd-motion settings and pressure limit, from the next frame (supervisor)."""
    before = monitor.site_config(site.id).motion
    try:
        new = monitor.set_motion(site.id, motion, user.name)
    except SiteChangeError as error:
        raise _refused(error) from None
    return _section_change(audit, "site.motion.changed", site.id, before, motion, new)


def _view_public(reference: ViewReference) -> ViewReferencePublic:
    return ViewReferencePublic(
        captured_at=reference.captured_at,
        taken_at=reference.taken_at,
        taken_by=reference.taken_by,
        width=reference.width,
        height=reference.height,
        corners=reference.corners,
        checkable=reference.corners >= MIN_PRINT_CORNERS,
    )


def _view_of(monitor: MonitorDep, site_id: str) -> ViewReference:
    reference = monitor.view_reference(site_id)
    if reference is None:
        raise HTTPException(
            404, f"site '{site_id}' has no set-up view yet: its first good frame becomes it"
        )
    return reference


_NO_VIEW: dict[int | str, dict[str, Any]] = {
    404: {"description": "The site has shown no good frame yet."}
}


@router.get("/{site_id}/view-reference", response_model=ViewReferencePublic, responses=_NO_VIEW)
def get_view_reference(site: SiteDep, monitor: MonitorDep) -> ViewReferencePublic:
    """The view the site was set up on, which its camera is held to."""
    return _view_public(_view_of(monitor, site.id))


@router.get(
    "/{site_id}/view-reference.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "The frame."}, **_NO_VIEW},
)
def get_view_reference_image(site: SiteDep, monitor: MonitorDep) -> Response:
    """The set-up view's frame, to set beside the live one."""
    return Response(_view_of(monitor, site.id).jpeg, media_type="image/jpeg")


@router.put(
    "/{site_id}/view-reference",
    response_model=ViewReferencePublic,
    responses={409: {"description": "No frame has been analysed yet."}},
)
def put_view_reference(
    site: SiteDep, monitor: MonitorDep, user: SupervisorUser, audit: AuditDep
) -> ViewReferencePublic:
    """The latest analysed frame becomes the set-up view the camera is held to (supervisor)."""
    before = monitor.view_reference(site.id)
    taken = monitor.take_view_reference(site.id, user.name)
    if taken is None:
        raise HTTPException(409, f"no frame analysed yet at site '{site.id}'")
    old, new = (None if before is None else _view_public(before)), _view_public(taken)
    audit.record(
        "site.view.taken",
        site.id,
        {"old": None if old is None else old.model_dump(mode="json"), "new": new.model_dump()},
    )
    return new


@router.get("/{site_id}/setup/history", response_model=list[SiteChangePublic])
def list_site_changes(
    site: SiteDep, monitor: MonitorDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[SiteChangePublic]:
    """Who changed a site's region, calibration or source, when and how, newest first."""
    return [
        SiteChangePublic(
            at=c.at,
            changed_by=c.changed_by,
            kind=c.kind,
            old=_masked(c.old),
            new=_masked(c.new),
        )
        for c in monitor.site_changes(site.id, limit)
    ]


@router.post("/{site_id}/thresholds/preview", response_model=PreviewPublic)
def preview_thresholds(
    site: SiteDep,
    monitor: MonitorDep,
    store: StoreDep,
    _user: SupervisorUser,
    body: PreviewRequest,
) -> PreviewPublic:
    """What-if: the alerts proposed thresholds would have raised lately, beside the current."""
    since, until, readings = _recent_readings(store, site.id, body.window_s)
    timezone = ZoneInfo(monitor.site_config(site.id).timezone)
    current = monitor.site_config(site.id).thresholds
    proposed_values = metric_series(readings, body.thresholds.metric)
    return PreviewPublic(
        since=since,
        until=until,
        metric=body.thresholds.metric.value,
        values=proposed_values,
        proposed=_whatif(replay_thresholds(body.thresholds, proposed_values, timezone)),
        current=_whatif(
            replay_thresholds(current, metric_series(readings, current.metric), timezone)
        ),
    )


@router.post("/{site_id}/motion/preview", response_model=PreviewPublic)
def preview_motion(
    site: SiteDep,
    monitor: MonitorDep,
    store: StoreDep,
    _user: SupervisorUser,
    body: MotionPreviewRequest,
) -> PreviewPublic:
    """What-if: the turbulence alerts proposed motion settings would have raised lately."""
    since, until, readings = _recent_readings(store, site.id, body.window_s)
    current = monitor.site_config(site.id).motion

    def replay(motion: MotionConfig) -> WhatIfPublic:
        series = turbulence_series(readings, motion)
        return _whatif(replay_thresholds(turbulence_thresholds(motion), series))

    return PreviewPublic(
        since=since,
        until=until,
        metric=TURBULENCE_METRIC,
        values=pressure_series(readings),
        proposed=replay(body.motion),
        current=replay(current),
    )


# -- helpers --------------------------------------------------------------------------------


def _recent_readings(
    store: Store, site_id: str, window_s: float
) -> tuple[float, float, list[StoredReading]]:
    """The site's readings of the last `window_s` a preview replays, with that range."""
    until = time.time()
    since = until - window_s
    return since, until, store.readings(site_id, since, until, MAX_PREVIEW_READINGS)


def _frame_size(site: SitePublic) -> tuple[int, int]:
    latest = site.latest
    if latest is not None:
        return latest.frame_width, latest.frame_height
    return int(max(x for x, _ in site.roi)) + 1, int(max(y for _, y in site.roi)) + 1


def _local(lat_lon: tuple[float, float] | None, site: SitePublic) -> tuple[float, float]:
    assert lat_lon is not None, "GroundPoint guarantees ground or lat_lon"
    return to_local(lat_lon, (site.lat, site.lon))


def _masked(fields: dict[str, Any]) -> dict[str, object]:
    if isinstance(fields.get("source"), str):
        return fields | {"source": redact_source(fields["source"])}
    return fields


def _whatif(result: WhatIfResult) -> WhatIfPublic:
    return WhatIfPublic(
        raised=result.raised,
        alerts=[
            WhatIfAlertPublic(
                raised_at=a.raised_at,
                cleared_at=a.resolved_at,
                raised_level=a.raised_level,
                peak_level=a.peak_level,
                peak_value=a.peak_value,
            )
            for a in result.alerts
        ],
        transitions=[
            WhatIfTransitionPublic(at=t.at, kind=t.kind, level=t.level, value=t.value)
            for t in result.transitions
        ],
        final_level=result.final_level,
        seconds_by_level=result.seconds_by_level,
    )
