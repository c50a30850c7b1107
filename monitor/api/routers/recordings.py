"""Recorded video: listing, streaming, the frame at a time, alert marks, and pins.

Replay views are written to the audit log when a site's recordings are listed (the replay
page does that once per site it opens); the video and frame requests that follow are not,
as a seeking player makes dozens of them.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from fastapi.responses import FileResponse

from monitor.api.deps import MAX_ROW_ID, ServicesDep, SiteDep, StoreDep
from monitor.api.mappers import alert_event_public
from monitor.api.replay_schemas import (
    PinPublic,
    PinRequest,
    RecordingCutPublic,
    RecordingPublic,
)
from monitor.api.routing import DocRoute
from monitor.auth.deps import AuditDep, OperatorUser, Role, SupervisorUser, require_role
from monitor.bus.messages import AlertEventPublic
from monitor.recording.export import nearest_reading
from monitor.recording.index import Pin, Segment
from monitor.recording.replay import DecodedFrame, SegmentUnreadable, health
from monitor.recording.service import RecordingService
from monitor.render.overlay import draw_heat, encode_jpeg

# A login first (monitor.auth): callers without one learn nothing, not even a 503.
router = APIRouter(
    prefix="/api",
    tags=["recordings"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.VIEWER))],
)

FRAME_TOLERANCE_S = 2.0
"""A frame further than this from the time asked for is not "the frame at" that time."""
CUT_TIMEOUT_S = 5.0
"""How long a cut waits for the encoder to reach it (it first writes what is queued)."""
READING_TOLERANCE_S = 5.0
"""The overlay uses the nearest reading within this (readings come a few per second)."""

Epoch = Annotated[float, Query(allow_inf_nan=False, description="Epoch seconds.")]
OptionalEpoch = Annotated[float | None, Query(allow_inf_nan=False, description="Epoch seconds.")]


def get_recordings(services: ServicesDep) -> RecordingService:
    if services.recordings is None:
        raise HTTPException(503, "recording is not available in this server")
    return services.recordings


RecordingsDep = Annotated[RecordingService, Depends(get_recordings)]


def recorded_frame(recordings: RecordingService, site_id: str, at: float) -> DecodedFrame:
    """The recorded frame nearest `at`, or the 404 or 410 that says why there is none."""
    try:
        decoded = recordings.frame_near(site_id, at, FRAME_TOLERANCE_S)
    except SegmentUnreadable as error:
        raise HTTPException(410, str(error)) from None
    if decoded is None:
        raise HTTPException(404, f"nothing recorded at site '{site_id}' near {at:.3f}")
    return decoded


def _check_range(since: float | None, until: float | None) -> None:
    if since is not None and until is not None and since > until:
        raise HTTPException(422, f"since ({since:g}) is after until ({until:g})")


def _public(segment: Segment, recordings: RecordingService) -> RecordingPublic:
    state, problem = health(segment, recordings.path_of(segment))
    return RecordingPublic(
        id=segment.id,
        site_id=segment.site_id,
        start=segment.start,
        end=segment.end,
        size=segment.size,
        frames=segment.frames,
        width=segment.width,
        height=segment.height,
        video_url=f"/api/recordings/{segment.id}/video",
        health=state,
        problem=problem,
    )


@router.get("/sites/{site_id}/recordings", response_model=list[RecordingPublic])
def list_recordings(
    site: SiteDep,
    recordings: RecordingsDep,
    audit: AuditDep,
    _user: OperatorUser,
    since: OptionalEpoch = None,
    until: OptionalEpoch = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[RecordingPublic]:
    """A site's recorded segments overlapping [since, until], oldest first."""
    _check_range(since, until)
    found = recordings.index.segments(site.id, since, until, limit)
    audit.record("replay.viewed", target=site.id, detail={"since": since, "until": until})
    return [_public(s, recordings) for s in found]


@router.post(
    "/sites/{site_id}/recordings/cut",
    response_model=RecordingCutPublic,
    responses={
        404: {"description": "No such site."},
        409: {"description": "The site is not recorded."},
        503: {"description": "The recorder is behind; try again."},
    },
)
def cut_recording(
    site: SiteDep, recordings: RecordingsDep, _user: OperatorUser
) -> RecordingCutPublic:
    """Closes the segment being written, so that replay reaches the present."""
    # Without it, replay ends where the last closed segment did (up to segment_s behind);
    # the next frame starts a new segment. The replay page asks for it when the span it
    # opens reaches into the last hour.
    state = recordings.status(site.id)
    if state is None or state.status == "off":
        raise HTTPException(409, f"recording is off at {site.id}")
    try:
        until = recordings.cut(site.id, CUT_TIMEOUT_S)
    except TimeoutError:
        raise HTTPException(
            503,
            f"the recorder at {site.id} is behind and did not close its segment within "
            f"{CUT_TIMEOUT_S:g} s; try again",
        ) from None
    return RecordingCutPublic(site_id=site.id, closed=until is not None, until=until)


@router.get(
    "/recordings/{recording_id}/video",
    response_class=FileResponse,
    responses={
        200: {"content": {"video/mp4": {}}, "description": "The whole segment."},
        206: {"description": "The byte range asked for with Range."},
        404: {"description": "No such recording."},
        410: {"description": "Its file is missing or damaged."},
    },
)
def get_video(
    recording_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    recordings: RecordingsDep,
    _user: OperatorUser,
) -> FileResponse:
    """One recorded segment as H.264/MP4; supports HTTP range requests for seeking."""
    segment = recordings.index.segment(recording_id)
    if segment is None:
        raise HTTPException(404, f"no recording {recording_id}")
    path = recordings.path_of(segment)
    state, problem = health(segment, path)
    if state != "ok":
        raise HTTPException(410, problem)
    # Segments never change once indexed: let the browser cache them.
    return FileResponse(
        path, media_type="video/mp4", headers={"Cache-Control": "private, max-age=86400"}
    )


@router.get(
    "/sites/{site_id}/frame.jpg",
    response_class=Response,
    responses={
        200: {
            "content": {"image/jpeg": {}},
            "description": "The frame; X-Frame-At gives its capture time, X-Reading-At "
            "the reading drawn over it (absent: none near enough, no overlay).",
        },
        404: {"description": "Nothing recorded near that time."},
        410: {"description": "The segment holding that time is missing or damaged."},
    },
)
def get_frame(
    site: SiteDep,
    recordings: RecordingsDep,
    store: StoreDep,
    _user: OperatorUser,
    at: Epoch,
    overlay: Annotated[bool, Query(description="Draw the density heat map over it.")] = True,
) -> Response:
    """The recorded frame nearest a time, as JPEG, with the reading of that time drawn."""
    decoded = recorded_frame(recordings, site.id, at)
    headers = {"X-Frame-At": repr(decoded.at), "Cache-Control": "private, max-age=3600"}
    image = decoded.image
    if overlay:
        nearby = store.readings(
            site.id, decoded.at - READING_TOLERANCE_S, decoded.at + READING_TOLERANCE_S, 1000
        )
        reading = nearest_reading(nearby, decoded.at)
        if reading is not None:
            exclude = site.setup.exclude if site.setup is not None else []
            image = draw_heat(image, reading.grid, site.roi, exclude=exclude)
            headers["X-Reading-At"] = repr(reading.captured_at)
    return Response(encode_jpeg(image), media_type="image/jpeg", headers=headers)


@router.get("/sites/{site_id}/alerts", response_model=list[AlertEventPublic])
def list_alert_events(
    site: SiteDep,
    store: StoreDep,
    _user: OperatorUser,
    since: Epoch,
    until: Epoch,
) -> list[AlertEventPublic]:
    """A site's alert events within [since, until], oldest first: the replay timeline's marks."""
    _check_range(since, until)
    events = [
        event
        for alert in store.alerts(None, site.id, 1000)
        if alert.raised_at <= until and (alert.resolved_at is None or alert.resolved_at >= since)
        for event in store.alert_events(alert.id)
        if since <= event.at <= until
    ]
    events.sort(key=lambda e: e.at)
    return [alert_event_public(e) for e in events]


def _pin_public(pin: Pin) -> PinPublic:
    return PinPublic(
        id=pin.id,
        site_id=pin.site_id,
        since=pin.start,
        until=pin.end,
        created_by=pin.created_by,
        created_at=pin.created_at,
        note=pin.note,
    )


@router.get("/pins", response_model=list[PinPublic])
def list_pins(recordings: RecordingsDep, _user: OperatorUser) -> list[PinPublic]:
    """Time ranges kept from retention until unpinned."""
    return [_pin_public(p) for p in recordings.index.pins()]


@router.post("/pins", response_model=PinPublic, status_code=201)
def add_pin(
    body: PinRequest, recordings: RecordingsDep, user: SupervisorUser, audit: AuditDep
) -> PinPublic:
    """Keeps a time range of one site (or all) from retention until it is unpinned."""
    known = {site.id for site in recordings.config.sites}
    if body.site_id is not None and body.site_id not in known:
        raise HTTPException(404, f"no site '{body.site_id}'")
    pin = recordings.index.add_pin(
        body.site_id, body.since, body.until, user.name, time.time(), body.note
    )
    audit.record(
        "recording.pinned",
        target=body.site_id or "*",
        detail={"pin": pin.id, "since": pin.start, "until": pin.end, "note": pin.note},
    )
    return _pin_public(pin)


@router.delete("/pins/{pin_id}", status_code=204, response_class=Response)
def delete_pin(
    pin_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    recordings: RecordingsDep,
    _user: SupervisorUser,
    audit: AuditDep,
) -> Response:
    """Unpins a range: retention may delete its segments again."""
    if not recordings.index.delete_pin(pin_id):
        raise HTTPException(404, f"no pin {pin_id}")
    audit.record("recording.unpinned", target=str(pin_id))
    return Response(status_code=204)
