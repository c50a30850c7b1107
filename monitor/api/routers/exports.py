"""Review packs and threshold what-ifs over recorded time ranges."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from monitor.alerts.whatif import WhatIfResult, replay_thresholds
from monitor.api.deps import StoreDep
from monitor.api.mappers import alert_event_public, alert_public
from monitor.api.replay_schemas import (
    ExportRequest,
    WhatIfAlertPublic,
    WhatIfComparison,
    WhatIfRequest,
    WhatIfResponse,
    WhatIfSummary,
)
from monitor.api.routers.recordings import RecordingsDep
from monitor.api.routing import DocRoute
from monitor.auth.deps import AuditDep, OperatorUser, Role, require_role
from monitor.config.site import SiteConfig
from monitor.recording.export import (
    ExportClip,
    ExportRequestData,
    build_export,
    manifest_bytes,
    sha256_hex,
)
from monitor.recording.service import RecordingService
from monitor.recording.whatif import Pair, alert_end, alert_seconds, metric_series, pair_alerts
from monitor.store.base import Store

# A login first (monitor.auth): callers without one learn nothing, not even a 503.
router = APIRouter(
    prefix="/api",
    tags=["review"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.VIEWER))],
)

MAX_READINGS = 500_000


def _site(recordings: RecordingService, site_id: str) -> SiteConfig:
    try:
        return recordings.config.site(site_id)
    except KeyError:
        raise HTTPException(404, f"no site '{site_id}'") from None


@router.post(
    "/exports",
    response_class=FileResponse,
    responses={
        200: {
            "content": {"application/zip": {}},
            "description": "The pack; X-Manifest-SHA256 is the sha256 of its manifest.json, "
            "also kept in the audit log.",
        },
        404: {"description": "An unknown site."},
    },
)
def create_export(
    body: ExportRequest,
    recordings: RecordingsDep,
    store: StoreDep,
    user: OperatorUser,
    audit: AuditDep,
) -> FileResponse:
    """A zip of a time range: clips, readings and status CSV, alerts JSON, sha256 manifest."""
    for site_id in body.site_ids:
        _site(recordings, site_id)
    clips = [
        ExportClip(segment, recordings.path_of(segment))
        for site_id in body.site_ids
        for segment in recordings.index.segments(site_id, body.since, body.until)
    ]
    readings = {
        site_id: store.readings(site_id, body.since, body.until, MAX_READINGS)
        for site_id in body.site_ids
    }
    data = ExportRequestData(
        since=body.since,
        until=body.until,
        sites=list(body.site_ids),
        blur=body.blur,
        created_by=user.name,
        created_at=time.time(),
        clips=clips,
        readings=readings,
        alerts=_alerts_json(store, body.site_ids, body.since, body.until),
        status={
            site_id: store.status_changes(site_id, body.since, body.until)
            for site_id in body.site_ids
        },
    )
    # Built in a temporary file, streamed, then removed: never held in memory whole.
    descriptor, name = tempfile.mkstemp(prefix="crowd-monitor-export-", suffix=".zip")
    os.close(descriptor)
    target = Path(name)
    try:
        with tempfile.TemporaryDirectory(prefix="crowd-monitor-export-") as scratch:
            manifest = build_export(data, target, Path(scratch))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    manifest_sha = sha256_hex(manifest_bytes(manifest))
    audit.record(
        "export.created",
        target=",".join(body.site_ids),
        detail={
            "since": body.since,
            "until": body.until,
            "blur": body.blur,
            "files": len(manifest["files"]),
            "skipped": manifest["skipped"],
            "manifest_sha256": manifest_sha,
        },
    )
    filename = (
        f"crowd-monitor-{'-'.join(body.site_ids)[:80]}-{int(body.since)}-{int(body.until)}.zip"
    )
    return FileResponse(
        target,
        media_type="application/zip",
        filename=filename,
        headers={"X-Manifest-SHA256": manifest_sha},
        background=BackgroundTask(target.unlink, missing_ok=True),
    )


def _alerts_json(
    store: Store, site_ids: list[str], since: float, until: float
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for site_id in site_ids:
        for alert in store.alerts(None, site_id, 10_000):
            if alert.raised_at > until or (
                alert.resolved_at is not None and alert.resolved_at < since
            ):
                continue
            events = [alert_event_public(e).model_dump() for e in store.alert_events(alert.id)]
            out.append({"alert": alert_public(alert).model_dump(), "events": events})
    out.sort(key=lambda entry: entry["alert"]["raised_at"])
    return out


@router.post("/whatif", response_model=WhatIfResponse)
def what_if(
    body: WhatIfRequest, recordings: RecordingsDep, store: StoreDep, _user: OperatorUser
) -> WhatIfResponse:
    """Alerts candidate thresholds would have raised over stored readings, vs those in force."""
    # The live config is untouched: the engine runs on a copy, over the stored readings.
    site = _site(recordings, body.site_id)
    in_force = store.current_thresholds().get(site.id, site.thresholds)
    readings = store.readings(site.id, body.since, body.until, MAX_READINGS)
    if not readings:
        raise HTTPException(404, f"no readings of site '{site.id}' in that range")
    zone = ZoneInfo(site.timezone)
    # The site's trend settings: each alert also says how early the live trend warned.
    candidate_result = replay_thresholds(
        body.thresholds, metric_series(readings, body.thresholds.metric), zone, site.trend
    )
    in_force_result = replay_thresholds(
        in_force, metric_series(readings, in_force.metric), zone, site.trend
    )
    pairs = pair_alerts(candidate_result, in_force_result, body.until)
    first = Pair(
        candidate_result.alerts[0] if candidate_result.alerts else None,
        in_force_result.alerts[0] if in_force_result.alerts else None,
    )
    return WhatIfResponse(
        site_id=site.id,
        since=body.since,
        until=body.until,
        readings=len(readings),
        metric=body.thresholds.metric.value,
        candidate=_summary(candidate_result, body.until),
        in_force=_summary(in_force_result, body.until),
        first_alert=_comparison(first),
        pairs=[_comparison(p) for p in pairs],
    )


def _summary(result: WhatIfResult, until: float) -> WhatIfSummary:
    return WhatIfSummary(
        alerts=[
            WhatIfAlertPublic(
                raised_at=a.raised_at,
                resolved_at=a.resolved_at,
                duration_s=alert_end(a, until) - a.raised_at,
                raised_level=a.raised_level,
                peak_level=a.peak_level,
                peak_value=a.peak_value,
                warned_at=a.warned_at,
                warned_s=None if a.warned_at is None else a.raised_at - a.warned_at,
            )
            for a in result.alerts
        ],
        raised=result.raised,
        alert_seconds=alert_seconds(result, until),
        seconds_by_level=result.seconds_by_level,
    )


def _comparison(pair: Pair) -> WhatIfComparison:
    return WhatIfComparison(
        candidate_raised_at=pair.candidate.raised_at if pair.candidate else None,
        in_force_raised_at=pair.in_force.raised_at if pair.in_force else None,
        minutes_earlier=pair.minutes_earlier,
    )
