"""Checking a site's count by hand: take the site's latest frame, click the heads on it, and
fit the count_scale that corrects the model at that camera (the setup page's Count check).

Samples are kept with their picture as the evidence behind a site's count_scale. Taking,
counting and deleting them and changing the scale are for supervisors; the scale change and
deletions are audited.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response

from monitor.api.count_schemas import (
    AppliedScalePublic,
    CountedSamplePublic,
    CountFitPublic,
    CountSamplePublic,
    CountScalePublic,
    CountScaleRequest,
    HeadsRequest,
)
from monitor.api.deps import MAX_ROW_ID, MonitorDep, ServicesDep, SiteDep
from monitor.api.routers.recordings import get_recordings, recorded_frame
from monitor.api.routing import DocRoute
from monitor.auth.deps import (
    AuditDep,
    OperatorUser,
    Role,
    SupervisorUser,
    ViewerUser,
    require_role,
)
from monitor.bus.messages import SitePublic
from monitor.density.count_check import (
    CheckedSample,
    error_at,
    fit_count_check,
    heads_inside,
)
from monitor.pipeline.service import FrameSample
from monitor.pipeline.site_setup import SiteChangeError
from monitor.render.overlay import encode_jpeg
from monitor.store.count_samples import CountSample, CountSamples, SampleFrame
from monitor.store.count_scales import AppliedScale, CountScales

router = APIRouter(
    prefix="/api",
    tags=["count check"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.VIEWER))],
)

MAX_SAMPLES_PER_SITE = 50
"""Ten are plenty for a fit; fifty bounds what a forgotten page can pile up (JPEGs)."""

SampleId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


def get_samples(services: ServicesDep) -> CountSamples:
    if services.count_samples is None:
        raise HTTPException(503, "count checks are not available in this server")
    return services.count_samples


SamplesDep = Annotated[CountSamples, Depends(get_samples)]


def get_scales(services: ServicesDep) -> CountScales:
    if services.count_scales is None:
        raise HTTPException(503, "count checks are not available in this server")
    return services.count_scales


ScalesDep = Annotated[CountScales, Depends(get_scales)]

# The fitted scale as the page sends it back (4 decimals): the fit's held-out error is its.
SAME_SCALE = 1e-3


def _public(sample: CountSample, current_scale: float) -> CountSamplePublic:
    frame = sample.frame
    return CountSamplePublic(
        id=sample.id,
        site_id=frame.site_id,
        captured_at=frame.captured_at,
        taken_at=frame.taken_at,
        taken_by=frame.taken_by,
        image_url=f"/api/count-samples/{sample.id}/image.jpg",
        width=frame.width,
        height=frame.height,
        model_count=round(frame.model_count, 2),
        counted_now=round(frame.model_count * current_scale, 2),
        roi=frame.roi,
        exclude=frame.exclude,
        heads=sample.heads,
        true_count=sample.true_count,
        counted_by=sample.counted_by,
        counted_at=sample.counted_at,
    )


def _sample(samples: CountSamples, sample_id: int) -> CountSample:
    found = samples.get(sample_id)
    if found is None:
        raise HTTPException(404, f"no count sample {sample_id}")
    return found


def _scale(monitor: MonitorDep, site_id: str) -> float:
    return monitor.site_config(site_id).count_scale


@router.post(
    "/sites/{site_id}/count-samples",
    response_model=CountSamplePublic,
    responses={
        409: {"description": "The site has as many samples as it may keep."},
        404: {"description": "Nothing recorded near `at`."},
        410: {"description": "The segment holding `at` is damaged."},
        503: {"description": "No frame analysed yet, or no recordings in this server."},
    },
)
def take_sample(
    site: SiteDep,
    monitor: MonitorDep,
    samples: SamplesDep,
    services: ServicesDep,
    user: SupervisorUser,
    at: Annotated[
        float | None,
        Query(
            allow_inf_nan=False,
            description="A recorded moment (epoch seconds) instead of the live frame: the "
            "model counts its frame afresh, in the region as it is now.",
        ),
    ] = None,
) -> CountSamplePublic:
    """Keeps the site's live (or a recorded) frame and the model's count on it, to count."""
    if samples.count(site.id) >= MAX_SAMPLES_PER_SITE:
        raise HTTPException(
            409,
            f"{site.id} already has {MAX_SAMPLES_PER_SITE} count samples; delete some first",
        )
    if at is not None:
        # A busy moment from the footage: calibrating wants crowds, and the live frame may
        # be quiet now.
        recordings = get_recordings(services)
        decoded = recorded_frame(recordings, site.id, at)
        frame: FrameSample | None = monitor.count_frame(site.id, decoded.image, decoded.at)
    else:
        frame = monitor.frame_sample(site.id)
    if frame is None:
        raise HTTPException(
            503, f"no frame analysed yet at site '{site.id}'", headers={"Retry-After": "2"}
        )
    height, width = frame.image.shape[:2]
    sample = samples.add(
        SampleFrame(
            site_id=site.id,
            captured_at=frame.captured_at,
            taken_at=time.time(),
            taken_by=user.name,
            model_count=frame.model_count,
            roi=frame.roi,
            exclude=frame.exclude,
            width=width,
            height=height,
        ),
        encode_jpeg(frame.image, quality=90),
    )
    return _public(sample, frame.count_scale)


@router.get("/sites/{site_id}/count-samples", response_model=list[CountSamplePublic])
def list_samples(
    site: SiteDep, monitor: MonitorDep, samples: SamplesDep, _user: OperatorUser
) -> list[CountSamplePublic]:
    """The site's count samples, oldest first."""
    scale = _scale(monitor, site.id)
    return [_public(s, scale) for s in samples.of_site(site.id)]


@router.get(
    "/count-samples/{sample_id}/image.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {"description": "No such sample."}},
)
def sample_image(sample_id: SampleId, samples: SamplesDep, _user: OperatorUser) -> Response:
    """A count sample's frame as JPEG, without the heat overlay."""
    jpeg = samples.jpeg(sample_id)
    if jpeg is None:
        raise HTTPException(404, f"no count sample {sample_id}")
    # A sample's picture never changes.
    return Response(
        jpeg, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.put("/count-samples/{sample_id}/heads", response_model=CountSamplePublic)
def count_heads(
    sample_id: SampleId,
    body: HeadsRequest,
    monitor: MonitorDep,
    samples: SamplesDep,
    user: SupervisorUser,
) -> CountSamplePublic:
    """Sets the heads clicked on the sample; its true count is those inside its region."""
    frame = _sample(samples, sample_id).frame
    for i, (x, y) in enumerate(body.heads):
        if not (0 <= x <= frame.width and 0 <= y <= frame.height):
            raise HTTPException(
                422,
                f"heads[{i}]: ({x:g}, {y:g}) is outside the {frame.width}x{frame.height} frame",
            )
    heads = [(float(x), float(y)) for x, y in body.heads]
    true_count = heads_inside(heads, frame.roi, frame.exclude)
    counted = samples.set_heads(sample_id, heads, true_count, user.name, time.time())
    if counted is None:  # deleted meanwhile
        raise HTTPException(404, f"no count sample {sample_id}")
    return _public(counted, _scale(monitor, frame.site_id))


@router.delete("/count-samples/{sample_id}", status_code=204)
def delete_sample(
    sample_id: SampleId, samples: SamplesDep, user: SupervisorUser, audit: AuditDep
) -> Response:
    """Deletes a count sample and its picture (supervisor, audited)."""
    sample = _sample(samples, sample_id)
    if not samples.delete(sample_id):
        raise HTTPException(404, f"no count sample {sample_id}")
    audit.record(
        "site.count_sample.deleted",
        sample.frame.site_id,
        {
            "sample": sample_id,
            "true_count": sample.true_count,
            "model_count": sample.frame.model_count,
        },
    )
    return Response(status_code=204)


def _checked(found: list[CountSample]) -> list[tuple[int, CheckedSample]]:
    """The samples counted by hand, each with its id."""
    return [
        (s.id, CheckedSample(s.frame.model_count, s.true_count))
        for s in found
        if s.true_count is not None
    ]


@router.post("/sites/{site_id}/count-scale/fit", response_model=CountFitPublic)
def fit_scale(
    site: SiteDep, monitor: MonitorDep, samples: SamplesDep, _user: SupervisorUser
) -> CountFitPublic:
    """The count_scale the counted samples call for, with the errors before and after (dry run)."""
    found = samples.of_site(site.id)
    counted = _checked(found)
    if not counted:
        raise HTTPException(
            422, f"no count sample of {site.id} has its heads counted; count at least one"
        )
    fit = fit_count_check([checked for _, checked in counted], _scale(monitor, site.id))
    return CountFitPublic(
        samples=len(counted),
        uncounted=len(found) - len(counted),
        count_scale=round(fit.scale, 4),
        current_scale=fit.current_scale,
        mae_now=round(fit.mae_now, 2),
        mae_fitted=round(fit.mae_fitted, 2),
        mae_held_out=None if fit.mae_held_out is None else round(fit.mae_held_out, 2),
        per_sample=[
            CountedSamplePublic(
                id=sample_id,
                true_count=checked.true_count,
                counted_now=round(now, 2),
                counted_fitted=round(fitted, 2),
            )
            for (sample_id, checked), now, fitted in zip(
                counted, fit.counted_now, fit.counted_fitted, strict=True
            )
        ],
    )


@router.put("/sites/{site_id}/count-scale", response_model=SitePublic)
def put_count_scale(
    site: SiteDep,
    monitor: MonitorDep,
    samples: SamplesDep,
    scales: ScalesDep,
    user: SupervisorUser,
    audit: AuditDep,
    body: CountScaleRequest,
) -> SitePublic:
    """Sets the site's count correction; the next frame is counted with it (supervisor)."""
    before = _scale(monitor, site.id)
    try:
        new = monitor.set_count_scale(site.id, body.count_scale, user.name)
    except SiteChangeError as error:
        raise HTTPException(422, f"{error.field}: {error.reason}") from None
    # The evidence it stands on, kept with it: what the panel tells operators.
    checked = [c for _, c in _checked(samples.of_site(site.id))]
    applied, held_out = None, None
    if checked:
        applied = round(error_at(checked, body.count_scale), 2)
        fit = fit_count_check(checked, before)
        if fit.mae_held_out is not None and abs(fit.scale - body.count_scale) < SAME_SCALE:
            held_out = round(fit.mae_held_out, 2)
    record = AppliedScale(
        site.id, time.time(), user.name, body.count_scale, len(checked), applied, held_out
    )
    scales.record(record)
    audit.record("site.count_scale.changed", site.id, {"old": before, "new": body.count_scale})
    return new


@router.get("/sites/{site_id}/count-scale", response_model=CountScalePublic)
def get_count_scale(
    site: SiteDep, monitor: MonitorDep, scales: ScalesDep, _user: ViewerUser
) -> CountScalePublic:
    """The site's count correction and the frames counted by hand it was fitted on."""
    latest = scales.latest(site.id)
    return CountScalePublic(
        site_id=site.id,
        count_scale=_scale(monitor, site.id),
        applied=None
        if latest is None
        else AppliedScalePublic(
            at=latest.at,
            by=latest.by,
            scale=latest.scale,
            samples=latest.samples,
            mae_applied=latest.mae_applied,
            mae_held_out=latest.mae_held_out,
        ),
    )
