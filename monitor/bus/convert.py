"""Domain objects to the public message models, shared by the pipeline and the API."""

from __future__ import annotations

from dataclasses import asdict

from monitor.alerts.model import Alert, AlertEvent, AlertUpdate
from monitor.alerts.trend import Trend
from monitor.bus.messages import (
    AlertEventPublic,
    AlertPayload,
    AlertPublic,
    FaultAckPublic,
    ImageQualityPublic,
    LevelPublic,
    MotionPublic,
    MotionSettingsPublic,
    PictureLimitsPublic,
    ReadingPayload,
    SchedulePublic,
    ThresholdsPublic,
    TrendPublic,
)
from monitor.config.motion import MotionConfig
from monitor.config.quality import ImageQualityConfig
from monitor.config.thresholds import LevelConfig, ThresholdsConfig
from monitor.motion.measure import Motion
from monitor.quality.verdict import QualityVerdict
from monitor.store.base import StoredReading
from monitor.store.fault_acks import FaultAck


def alert_public(alert: Alert) -> AlertPublic:
    return AlertPublic(
        id=alert.id,
        site_id=alert.site_id,
        metric=alert.metric,
        level=alert.level,
        peak_level=alert.peak_level,
        peak_value=alert.peak_value,
        state=alert.state.value,
        raised_at=alert.raised_at,
        updated_at=alert.updated_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        acknowledge_note=alert.acknowledge_note,
        resolved_at=alert.resolved_at,
        cleared_at=alert.cleared_at,
        overdue_at=alert.overdue_at,
        dispatched_at=alert.dispatched_at,
        dispatched_by=alert.dispatched_by,
        platform_id=alert.platform_id,
        platform_name=alert.platform_name,
        tier_minutes=alert.tier_minutes,
        arrived_at=alert.arrived_at,
        arrived_by=alert.arrived_by,
        resolved_by=alert.resolved_by,
        outcome=alert.outcome,
    )


def alert_event_public(event: AlertEvent) -> AlertEventPublic:
    return AlertEventPublic(
        id=event.id,
        alert_id=event.alert_id,
        site_id=event.site_id,
        kind=event.kind.value,
        level=event.level,
        value=event.value,
        at=event.at,
        by=event.by,
        note=event.note,
    )


def alert_payload(update: AlertUpdate) -> AlertPayload:
    return AlertPayload(alert=alert_public(update.alert), event=alert_event_public(update.event))


def _levels_public(levels: list[LevelConfig]) -> list[LevelPublic]:
    return [
        LevelPublic(name=level.name, color=level.color, enter=level.enter, exit=level.exit)
        for level in levels
    ]


def thresholds_public(thresholds: ThresholdsConfig) -> ThresholdsPublic:
    return ThresholdsPublic(
        metric=thresholds.metric.value,
        min_duration_s=thresholds.min_duration_s,
        cooldown_s=thresholds.cooldown_s,
        levels=_levels_public(thresholds.levels),
        schedules=[
            SchedulePublic(
                name=schedule.name,
                days=list(schedule.days),
                start=schedule.start,
                end=schedule.end,
                min_duration_s=schedule.min_duration_s,
                cooldown_s=schedule.cooldown_s,
                levels=None if schedule.levels is None else _levels_public(schedule.levels),
            )
            for schedule in thresholds.schedules
        ],
    )


def reading_payload(reading: StoredReading, trend: Trend | None = None) -> ReadingPayload:
    return ReadingPayload(
        seq=reading.seq,
        captured_at=reading.captured_at,
        analysed_at=reading.analysed_at,
        count=reading.count,
        mean_density=reading.mean_density,
        peak_density=reading.peak_density,
        level=reading.level,
        grid=reading.grid,
        frame_width=reading.frame_width,
        frame_height=reading.frame_height,
        image_quality=None if reading.quality is None else image_quality_public(reading.quality),
        trend=None if trend is None else trend_public(trend),
        motion=None if reading.motion is None else motion_public(reading.motion),
    )


def motion_public(motion: Motion) -> MotionPublic:
    return MotionPublic(
        speed_m_s=motion.speed_m_s,
        pressure=motion.pressure,
        turbulent=motion.turbulent,
    )


def trend_public(trend: Trend) -> TrendPublic:
    upcoming = trend.next_level
    return TrendPublic(
        direction=trend.direction.value,
        rate_per_min=trend.rate_per_min,
        value=trend.value,
        next_level=None if upcoming is None else upcoming.name,
        next_enter=None if upcoming is None else upcoming.enter,
        next_color=None if upcoming is None else upcoming.color,
        eta_s=trend.eta_s,
    )


def image_quality_public(verdict: QualityVerdict) -> ImageQualityPublic:
    median = verdict.median
    return ImageQualityPublic(
        issues=list(verdict.issues),
        noise=median.noise,
        detail=median.detail,
        blocking=median.blocking,
        spread=median.spread,
        view_shift=verdict.view_shift,
    )


def motion_settings_public(config: MotionConfig) -> MotionSettingsPublic:
    return MotionSettingsPublic.model_validate(config.model_dump())


def picture_limits_public(config: ImageQualityConfig) -> PictureLimitsPublic:
    return PictureLimitsPublic(
        enabled=config.enabled,
        window_frames=config.window_frames,
        noise=config.noise_limit,
        detail=config.detail_limit,
        blocking=config.blocking_limit,
        spread=config.blank_spread_limit,
        view_check=config.view_check,
        view_shift=config.view_shift_limit,
    )


def fault_ack_public(ack: FaultAck) -> FaultAckPublic:
    return FaultAckPublic.model_validate(asdict(ack))
