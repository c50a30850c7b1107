"""What a webhook is sent, and which webhooks want it: pure, no I/O.

The body is a typed model serialised once per event, the same for every endpoint. Its `id`
names the event, not the delivery: a receiver that gets it twice (a retry after a lost
response) can drop the second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from monitor.alerts.turbulence import TURBULENCE_METRIC
from monitor.bus.messages import (
    AlertEventPublic,
    AlertPayload,
    AlertPublic,
    FaultAckPublic,
    FaultKind,
    QualityIssueName,
)
from monitor.config.notify import NotificationKind, WebhookConfig
from monitor.quality.verdict import QualityIssue, issue_words

TEST_KIND = "test"

_UNITS = {"peak_density": " persons/m² (peak)", "mean_density": " persons/m² (mean)"}


def _metric_text(metric: str, value: float) -> str:
    """A value of an alert metric with its unit; crowd pressure's limit is a few hundredths."""
    if metric == TURBULENCE_METRIC:
        return f"{value:.3f}/s² crowd pressure"
    return f"{value:.1f}{_UNITS.get(metric, ' people')}"


class SiteRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name_en: str
    name_zh: str
    lat: float
    lon: float
    timezone: str = Field(default="UTC", description="IANA zone of the site's wall clock.")
    metric: str = Field(
        default="peak_density", description="What the site's levels measure (its unit)."
    )


class CameraChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["offline", "online"]
    reason: str = Field(description="Why the camera is offline (its last reason when back).")
    offline_since: float = Field(description="When the outage began, epoch seconds.")
    offline_s: float = Field(description="How long it has been (or was) offline, seconds.")


class FaultChange(BaseModel):
    """A stalled stream or a poor picture that lasted (notify/fault_watch.py), or its end."""

    model_config = ConfigDict(frozen=True)

    state: Literal["began", "ended"]
    kind: Literal["stalled", "picture"] = Field(
        description="stalled: the camera is up but nothing has been analysed since `since`; "
        "picture: its picture is too poor to trust the count (see `issues`)."
    )
    severity: Literal["bad", "warn"] = Field(
        description="bad: no count at all (stalled, or a blank picture); warn: a doubtful one."
    )
    issues: list[QualityIssueName] = Field(
        description="picture: what is wrong with it (blank, noise, detail_loss, blocking, "
        "view_moved), as last seen."
    )
    since: float = Field(description="When the fault began, epoch seconds: it names it.")
    lasted_s: float = Field(description="How long it has lasted (began) or lasted (ended).")
    fault_now: FaultKind | None = Field(
        default=None,
        description="ended: the site's fault now, if another has taken its place (offline: "
        "camera_offline tells of it); null: none.",
    )


class FaultReminder(BaseModel):
    """A camera fault that is still nobody's (notify/unattended_watch.py)."""

    model_config = ConfigDict(frozen=True)

    kind: FaultKind = Field(
        description="offline, starting (not connecting), stalled (no new picture) or picture "
        "(a poor one), as the live page names it."
    )
    severity: Literal["bad", "warn"] = Field(
        description="bad: no count at all; warn: a doubtful one (a grainy picture)."
    )
    since: float = Field(description="When the fault began, epoch seconds: it names it.")
    lasted_s: float = Field(description="How long it has lasted so far, seconds.")
    round: int = Field(description="1 for the first reminder, 2 for the second, ...")
    reason: str = Field(description="offline and starting: what the camera's source said.")
    issues: list[QualityIssueName] = Field(
        description="picture: what is wrong with it (blank, noise, detail_loss, blocking, "
        "view_moved)."
    )
    lapsed_ack: FaultAckPublic | None = Field(
        default=None,
        description="The acknowledgement of this fault whose expected-back time has passed; "
        "null: nobody ever acknowledged it.",
    )


class ForecastPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: str = Field(description="The level the crowd is heading for.")
    eta_s: float = Field(description="Seconds until it, at the recent pace; 0: reached, pending.")
    value: float = Field(description="The site's metric now (on the trend's fitted line).")
    rate_per_min: float = Field(description="How fast it is rising, per minute.")
    current_level: str


class TurbulencePublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    pressure: float = Field(description="Crowd pressure, 1/s² (see the reading's motion).")
    speed_m_s: float = Field(description="Mean ground speed of the region's people, m/s.")
    peak_density: float = Field(description="Peak persons/m² of the same reading.")
    count: float = Field(description="People in the region in the same reading.")


class WebhookBody(BaseModel):
    """The JSON every endpoint receives."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="The event's id: the same on every retry, so receivers dedupe.")
    type: str = Field(
        description="An alert step, camera_offline, camera_online, camera_fault, "
        "camera_fault_ended, forecast, fault_acknowledged, repair_overdue, fault_unattended, "
        "turbulence or test."
    )
    at: float = Field(description="When it happened, epoch seconds.")
    summary: str = Field(description="One line for a pager or a chat room.")
    site: SiteRef | None = None
    alert: AlertPublic | None = Field(default=None, description="The alert after this step.")
    event: AlertEventPublic | None = Field(default=None, description="The step itself.")
    camera: CameraChange | None = None
    fault: FaultChange | None = Field(
        default=None, description="The fault, for camera_fault and camera_fault_ended."
    )
    forecast: ForecastPublic | None = None
    turbulence: TurbulencePublic | None = Field(
        default=None, description="The crowd's motion, for turbulence."
    )
    fault_ack: FaultAckPublic | None = Field(
        default=None, description="The acknowledgement, for fault_acknowledged and repair_overdue."
    )
    reminder: FaultReminder | None = Field(
        default=None, description="The fault still nobody's, for fault_unattended."
    )
    url: str | None = Field(default=None, description="The alert or site on the page.")


@dataclass(frozen=True, slots=True)
class Notification:
    """One event, ready for whichever endpoints want it."""

    key: str  # unique per event; the outbox keeps one delivery per (endpoint, key)
    kind: str
    site_id: str | None
    peak_level: str | None  # alerts only: what `levels` filters on
    at: float
    body: str  # the WebhookBody as JSON, serialised once
    alert_id: str | None = None  # alert steps only: whose card says who was told


def _site_name(site: SiteRef | None, site_id: str) -> str:
    return site.name_en if site is not None else site_id


def _wall_clock(at: float, site: SiteRef | None) -> str:
    """When it happened on the site's clock: a message retried for minutes still says when."""
    if site is None:
        return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S UTC")
    return datetime.fromtimestamp(at, ZoneInfo(site.timezone)).strftime("%H:%M:%S")


def _wall_date(at: float, site: SiteRef | None) -> str:
    """A time that may be days away, on the site's clock."""
    if site is None:
        return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    return datetime.fromtimestamp(at, ZoneInfo(site.timezone)).strftime("%Y-%m-%d %H:%M")


def _link(public_url: str | None, fragment: str) -> str | None:
    return None if public_url is None else f"{public_url.rstrip('/')}/#{fragment}"


def _site_link(public_url: str | None, site_id: str) -> str | None:
    return _link(public_url, f"site={quote(site_id)}")


def _notification(
    body: WebhookBody,
    site_id: str | None,
    peak_level: str | None = None,
    alert_id: str | None = None,
) -> Notification:
    """The event as the outbox takes it: keyed by the body's id, the body serialised once."""
    json = body.model_dump_json()
    return Notification(body.id, body.type, site_id, peak_level, body.at, json, alert_id)


def alert_notification(
    payload: AlertPayload, site: SiteRef | None, public_url: str | None
) -> Notification:
    alert, event = payload.alert, payload.event
    who = "" if event.by == "system" else f" by {event.by}"
    summary = (
        f"{_wall_clock(event.at, site)} {_site_name(site, alert.site_id)}: alert "
        f"{event.kind}{who}, level {event.level} "
        f"({_metric_text(alert.metric, event.value)}; peak {alert.peak_level})"
    )
    if event.note:
        summary += f": {event.note}"
    body = WebhookBody(
        id=f"alert-event-{event.id}",
        type=event.kind,
        at=event.at,
        summary=summary,
        site=site,
        alert=alert,
        event=event,
        url=_link(public_url, f"alert={quote(alert.id)}"),
    )
    return _notification(body, alert.site_id, alert.peak_level, alert.id)


def camera_notification(
    site_id: str,
    change: CameraChange,
    at: float,
    site: SiteRef | None,
    public_url: str | None,
) -> Notification:
    name = f"{_wall_clock(at, site)} {_site_name(site, site_id)}"
    minutes = change.offline_s / 60
    if change.status == "offline":
        kind = NotificationKind.CAMERA_OFFLINE
        summary = f"{name}: camera offline for {minutes:.1f} min: {change.reason}"
    else:
        kind = NotificationKind.CAMERA_ONLINE
        summary = f"{name}: camera back online after {minutes:.1f} min offline"
    body = WebhookBody(
        # One outage is one pair of events, named by the site and when it began.
        id=f"{kind}-{site_id}-{change.offline_since:.3f}",
        type=kind,
        at=at,
        summary=summary,
        site=site,
        camera=change,
        url=_site_link(public_url, site_id),
    )
    return _notification(body, site_id)


def forecast_notification(
    site_id: str,
    forecast: ForecastPublic,
    at: float,
    site: SiteRef | None,
    public_url: str | None,
) -> Notification:
    unit = _UNITS.get(site.metric, " people") if site is not None else ""
    when = "now" if forecast.eta_s <= 0 else f"in about {max(1, round(forecast.eta_s / 60))} min"
    summary = (
        f"{_wall_clock(at, site)} {_site_name(site, site_id)}: heading for {forecast.level} "
        f"{when} (now {forecast.value:.1f}{unit}, rising {forecast.rate_per_min:.2f} a minute)"
    )
    body = WebhookBody(
        id=f"forecast-{site_id}-{forecast.level}-{at:.3f}",
        type=NotificationKind.FORECAST,
        at=at,
        summary=summary,
        site=site,
        forecast=forecast,
        url=_site_link(public_url, site_id),
    )
    return _notification(body, site_id, forecast.level)


def turbulence_notification(
    site_id: str,
    turbulence: TurbulencePublic,
    at: float,
    site: SiteRef | None,
    public_url: str | None,
) -> Notification:
    summary = (
        f"{_wall_clock(at, site)} {_site_name(site, site_id)}: crowd turbulence, a dense crowd "
        f"pushed in different directions (pressure {turbulence.pressure:.3f}/s², peak "
        f"{turbulence.peak_density:.1f} persons/m², {turbulence.count:.0f} people): look at the "
        "camera now"
    )
    body = WebhookBody(
        id=f"turbulence-{site_id}-{at:.3f}",
        type=NotificationKind.TURBULENCE,
        at=at,
        summary=summary,
        site=site,
        turbulence=turbulence,
        url=_site_link(public_url, site_id),
    )
    return _notification(body, site_id, None)


# The faults as the live page names them (monitor.bus.messages.FaultKind).
_FAULT_WORDS = {
    "offline": "camera offline",
    "starting": "camera not connecting",
    "stalled": "no new picture",
    "picture": "poor picture",
}


def _fault_words(kind: str, issues: Sequence[str] = ()) -> str:
    """A fault as the live page names it; a poor picture by its issues, a blank one on its
    own."""
    if kind != "picture" or not issues:
        return _FAULT_WORDS.get(kind, kind)
    if QualityIssue.BLANK in issues:
        return f"picture {issue_words(QualityIssue.BLANK)}"
    return f"poor picture ({', '.join(issue_words(issue) for issue in issues)})"


def _fault_effect(change: FaultChange) -> str:
    if change.kind == "stalled":
        return "the numbers shown are old"
    return "no count" if change.severity == "bad" else "count doubtful"


def fault_notification(
    site_id: str,
    change: FaultChange,
    at: float,
    site: SiteRef | None,
    public_url: str | None,
) -> Notification:
    name = f"{_wall_clock(at, site)} {_site_name(site, site_id)}"
    minutes = change.lasted_s / 60
    if change.state == "began":
        kind = NotificationKind.CAMERA_FAULT
        words = _fault_words(change.kind, change.issues)
        summary = f"{name}: {words} for {minutes:.1f} min: {_fault_effect(change)}"
    else:
        kind = NotificationKind.CAMERA_FAULT_ENDED
        summary = f"{name}: {_fault_words(change.kind, change.issues)} over after {minutes:.1f} min"
        if change.fault_now is not None:
            summary += f"; now {_fault_words(change.fault_now)}"
    body = WebhookBody(
        # One fault is one pair of events, named by the site, the fault and when it began.
        id=f"{kind}-{site_id}-{change.kind}-{change.severity}-{change.since:.3f}",
        type=kind,
        at=at,
        summary=summary,
        site=site,
        fault=change,
        url=_site_link(public_url, site_id),
    )
    return _notification(body, site_id)


def fault_ack_notification(
    ack: FaultAckPublic, site: SiteRef | None, public_url: str | None
) -> Notification:
    kind = NotificationKind.FAULT_ACKNOWLEDGED
    summary = (
        f"{_wall_clock(ack.at, site)} {_site_name(site, ack.site_id)}: "
        f"{_fault_words(ack.kind)} taken in hand by {ack.by}"
    )
    if ack.note:
        summary += f": {ack.note}"
    if ack.expected_back is not None:
        summary += f"; expected back by {_wall_date(ack.expected_back, site)}"
    return _fault_notification(kind, ack, ack.at, summary, site, public_url)


def repair_overdue_notification(
    ack: FaultAckPublic, at: float, site: SiteRef | None, public_url: str | None
) -> Notification:
    assert ack.expected_back is not None, "only an acknowledgement with a time can be overdue"
    kind = NotificationKind.REPAIR_OVERDUE
    note = f": {ack.note}" if ack.note else ""
    summary = (
        f"{_wall_clock(at, site)} {_site_name(site, ack.site_id)}: "
        f"{_fault_words(ack.kind)} past the time it was expected back "
        f"({_wall_date(ack.expected_back, site)}, {ack.by}{note})"
    )
    return _fault_notification(kind, ack, at, summary, site, public_url)


def _fault_notification(
    kind: NotificationKind,
    ack: FaultAckPublic,
    at: float,
    summary: str,
    site: SiteRef | None,
    public_url: str | None,
) -> Notification:
    body = WebhookBody(
        # One acknowledgement is one of each: named by the site and when it was made.
        id=f"{kind}-{ack.site_id}-{ack.at:.3f}",
        type=kind,
        at=at,
        summary=summary,
        site=site,
        fault_ack=ack,
        url=_site_link(public_url, ack.site_id),
    )
    return _notification(body, ack.site_id)


def _lasted_words(seconds: float) -> str:
    """A fault's age as a reminder gives it: '45 min', '3 h', '2 h 30 min', '2 d 4 h'."""
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 24 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(round(minutes / 60), 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def fault_unattended_notification(
    site_id: str, reminder: FaultReminder, at: float, site: SiteRef | None, public_url: str | None
) -> Notification:
    kind = NotificationKind.FAULT_UNATTENDED
    summary = (
        f"{_wall_clock(at, site)} {_site_name(site, site_id)}: "
        f"{_fault_words(reminder.kind, reminder.issues)} for "
        f"{_lasted_words(reminder.lasted_s)}"
    )
    ack = reminder.lapsed_ack
    if ack is not None and ack.expected_back is not None:
        note = f", {ack.note}" if ack.note else ""
        summary += (
            f", still down after {ack.by} expected it back by "
            f"{_wall_date(ack.expected_back, site)}{note}"
        )
    else:
        summary += ", and nobody has it in hand"
    if reminder.reason and reminder.kind in ("offline", "starting"):
        summary += f": {reminder.reason}"
    body = WebhookBody(
        # One reminder per round of one fault: a restart does not send a round again.
        id=f"{kind}-{site_id}-{reminder.kind}-{reminder.since:.3f}-{reminder.round}",
        type=kind,
        at=at,
        summary=summary,
        site=site,
        reminder=reminder,
        url=_site_link(public_url, site_id),
    )
    return _notification(body, site_id)


def probe_notification(webhook: str, at: float, actor: str) -> Notification:
    body = WebhookBody(
        id=f"test-{webhook}-{at:.6f}",
        type=TEST_KIND,
        at=at,
        summary=f"crowd-monitor test message to '{webhook}', sent by {actor}",
    )
    return _notification(body, None)


def wanted(webhook: WebhookConfig, notification: Notification) -> bool:
    """Whether `webhook` is to be told of `notification` (a test goes to whoever it names)."""
    if notification.kind == TEST_KIND:
        return True
    if notification.kind not in webhook.events:
        return False
    if webhook.sites and notification.site_id not in webhook.sites:
        return False
    if webhook.levels and notification.peak_level is not None:
        return notification.peak_level in webhook.levels
    return True
