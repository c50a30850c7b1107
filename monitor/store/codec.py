"""Conversions between the domain dataclasses and table rows."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import RowMapping

from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState
from monitor.config.thresholds import ThresholdsConfig
from monitor.motion.measure import Motion
from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.store.base import StoredReading, ThresholdChange

Grid = list[list[float | None]]


def _compact_json(value: Any) -> str:
    # repr-shortest floats round-trip exactly; NaN would not be valid JSON for other readers.
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def grid_to_json(grid: Grid) -> str:
    return _compact_json(grid)


def grid_from_json(text: str) -> Grid:
    grid: Grid = json.loads(text)
    return grid


def thresholds_to_json(config: ThresholdsConfig) -> str:
    return _compact_json(config.model_dump(mode="json"))


def thresholds_from_json(text: str) -> ThresholdsConfig:
    return ThresholdsConfig.model_validate(json.loads(text))


def reading_row(reading: StoredReading) -> dict[str, Any]:
    return {
        "site_id": reading.site_id,
        "seq": reading.seq,
        "captured_at": reading.captured_at,
        "analysed_at": reading.analysed_at,
        "count": reading.count,
        "mean_density": reading.mean_density,
        "peak_density": reading.peak_density,
        "level": reading.level,
        "grid": grid_to_json(reading.grid),
        "frame_width": reading.frame_width,
        "frame_height": reading.frame_height,
        "quality": None if reading.quality is None else quality_to_json(reading.quality),
        "motion_speed": None if reading.motion is None else reading.motion.speed_m_s,
        "motion_pressure": None if reading.motion is None else reading.motion.pressure,
        "motion_turbulent": None if reading.motion is None else reading.motion.turbulent,
    }


def reading_from_row(row: RowMapping) -> StoredReading:
    return StoredReading(
        site_id=row["site_id"],
        seq=row["seq"],
        captured_at=row["captured_at"],
        analysed_at=row["analysed_at"],
        count=row["count"],
        mean_density=row["mean_density"],
        peak_density=row["peak_density"],
        level=row["level"],
        grid=grid_from_json(row["grid"]),
        frame_width=row["frame_width"],
        frame_height=row["frame_height"],
        quality=None if row["quality"] is None else quality_from_json(row["quality"]),
        motion=motion_from_row(row),
    )


def motion_from_row(row: RowMapping) -> Motion | None:
    speed, pressure = row["motion_speed"], row["motion_pressure"]
    if speed is None or pressure is None:
        return None
    return Motion(speed, pressure, bool(row["motion_turbulent"]))


def quality_to_json(verdict: QualityVerdict) -> str:
    median = verdict.median
    fields: dict[str, Any] = {
        "issues": list(verdict.issues),
        "noise": median.noise,
        "detail": median.detail,
        "blocking": median.blocking,
        "spread": median.spread,
    }
    if verdict.view_shift is not None:  # most rows: no key, and readings of earlier builds
        fields["view_shift"] = verdict.view_shift
    return _compact_json(fields)


def quality_from_json(text: str) -> QualityVerdict:
    fields = json.loads(text)
    return QualityVerdict(
        issues=tuple(QualityIssue(issue) for issue in fields["issues"]),
        median=FrameQuality(
            noise=fields["noise"],
            detail=fields["detail"],
            blocking=fields["blocking"],
            spread=fields["spread"],
        ),
        view_shift=fields.get("view_shift"),
    )


# How `quality_to_json` begins a good picture's verdict. Camera-health reports read a
# million of them for a week of one site, and most pictures are good: no JSON to parse.
_NO_ISSUES_PREFIX = '{"issues":[],'


def issues_from_quality_json(text: str | None) -> tuple[QualityIssue, ...] | None:
    """Only the issues of a stored verdict; None when the reading was not assessed."""
    if text is None:
        return None
    if text.startswith(_NO_ISSUES_PREFIX):
        return ()
    return tuple(QualityIssue(issue) for issue in json.loads(text)["issues"])


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "site_id": alert.site_id,
        "metric": alert.metric,
        "level": alert.level,
        "peak_level": alert.peak_level,
        "peak_value": alert.peak_value,
        "state": alert.state.value,
        "raised_at": alert.raised_at,
        "updated_at": alert.updated_at,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledge_note": alert.acknowledge_note,
        "resolved_at": alert.resolved_at,
        "cleared_at": alert.cleared_at,
        "overdue_at": alert.overdue_at,
        "dispatched_at": alert.dispatched_at,
        "dispatched_by": alert.dispatched_by,
        "platform_id": alert.platform_id,
        "platform_name": alert.platform_name,
        "tier_minutes": alert.tier_minutes,
        "arrived_at": alert.arrived_at,
        "arrived_by": alert.arrived_by,
        "resolved_by": alert.resolved_by,
        "outcome": alert.outcome,
    }


def alert_from_row(row: RowMapping) -> Alert:
    return Alert(
        id=row["id"],
        site_id=row["site_id"],
        metric=row["metric"],
        level=row["level"],
        peak_level=row["peak_level"],
        peak_value=row["peak_value"],
        state=AlertState(row["state"]),
        raised_at=row["raised_at"],
        updated_at=row["updated_at"],
        acknowledged_at=row["acknowledged_at"],
        acknowledged_by=row["acknowledged_by"],
        acknowledge_note=row["acknowledge_note"],
        resolved_at=row["resolved_at"],
        cleared_at=row["cleared_at"],
        overdue_at=row["overdue_at"],
        dispatched_at=row["dispatched_at"],
        dispatched_by=row["dispatched_by"],
        platform_id=row["platform_id"],
        platform_name=row["platform_name"],
        tier_minutes=row["tier_minutes"],
        arrived_at=row["arrived_at"],
        arrived_by=row["arrived_by"],
        resolved_by=row["resolved_by"],
        outcome=row["outcome"] or "",
    )


def event_row(event: AlertEvent, ordinal: int) -> dict[str, Any]:
    return {
        "id": event.id,
        "alert_id": event.alert_id,
        "ordinal": ordinal,
        "site_id": event.site_id,
        "kind": event.kind.value,
        "level": event.level,
        "value": event.value,
        "at": event.at,
        "by": event.by,
        "note": event.note,
    }


def event_from_row(row: RowMapping) -> AlertEvent:
    return AlertEvent(
        id=row["id"],
        alert_id=row["alert_id"],
        site_id=row["site_id"],
        kind=AlertEventKind(row["kind"]),
        level=row["level"],
        value=row["value"],
        at=row["at"],
        by=row["by"],
        note=row["note"],
    )


def threshold_change_row(change: ThresholdChange) -> dict[str, Any]:
    return {
        "site_id": change.site_id,
        "at": change.at,
        "changed_by": change.changed_by,
        "old_json": None if change.old is None else thresholds_to_json(change.old),
        "new_json": thresholds_to_json(change.new),
    }


def threshold_change_from_row(row: RowMapping) -> ThresholdChange:
    old_json = row["old_json"]
    return ThresholdChange(
        site_id=row["site_id"],
        at=row["at"],
        changed_by=row["changed_by"],
        old=None if old_json is None else thresholds_from_json(old_json),
        new=thresholds_from_json(row["new_json"]),
    )
