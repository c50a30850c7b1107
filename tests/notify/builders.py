"""Alert and reading messages as the pipeline publishes them, for the notification tests."""

from __future__ import annotations

import time

from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState
from monitor.bus.convert import alert_event_public, alert_public
from monitor.bus.messages import AlertPayload, MotionPublic, ReadingPayload, TrendPublic
from monitor.notify.events import SiteRef

WUYI = SiteRef(
    id="wuyi-square",
    name_en="Wuyi Square",
    name_zh="五一广场",
    lat=28.196,
    lon=112.98,
    timezone="Asia/Shanghai",
)


def alert_payload(
    kind: AlertEventKind = AlertEventKind.RAISED,
    *,
    site_id: str = "wuyi-square",
    level: str = "high",
    peak_level: str | None = None,
    value: float = 4.6,
    at: float | None = None,
    event_id: str = "ev-1",
    by: str = "system",
    note: str = "",
    metric: str = "peak_density",
) -> AlertPayload:
    # Now by default: the service sweeps delivered events older than its log keeps.
    at = time.time() if at is None else at
    alert = Alert(
        id="al-1",
        site_id=site_id,
        metric=metric,
        level=level,
        peak_level=peak_level or level,
        peak_value=value,
        state=AlertState.OPEN,
        raised_at=at,
        updated_at=at,
    )
    event = AlertEvent(event_id, alert.id, site_id, kind, level, value, at, by, note)
    return AlertPayload(alert=alert_public(alert), event=alert_event_public(event))


def reading_payload(
    at: float,
    level: str = "high",
    trend: TrendPublic | None = None,
    motion: MotionPublic | None = None,
    count: float = 40.0,
    peak_density: float = 3.6,
) -> ReadingPayload:
    return ReadingPayload(
        seq=1,
        captured_at=at,
        analysed_at=at,
        count=count,
        mean_density=2.0,
        peak_density=peak_density,
        level=level,
        grid=[[peak_density]],
        frame_width=640,
        frame_height=480,
        trend=trend,
        motion=motion,
    )
