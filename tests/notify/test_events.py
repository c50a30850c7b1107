from __future__ import annotations

import json

import pytest

from monitor.alerts.model import AlertEventKind
from monitor.bus.messages import FaultAckPublic
from monitor.config.notify import NotificationKind, WebhookConfig
from monitor.notify.events import (
    CameraChange,
    FaultChange,
    FaultReminder,
    ForecastPublic,
    Notification,
    TurbulencePublic,
    alert_notification,
    camera_notification,
    fault_ack_notification,
    fault_notification,
    fault_unattended_notification,
    forecast_notification,
    probe_notification,
    repair_overdue_notification,
    turbulence_notification,
    wanted,
)
from tests.notify.builders import WUYI, alert_payload


def test_an_alert_step_carries_the_alert_the_step_and_a_line_for_a_pager() -> None:
    payload = alert_payload(AlertEventKind.ESCALATED, level="high", value=4.63, at=1234.5)
    notification = alert_notification(payload, WUYI, "https://crowd.example/")
    body = json.loads(notification.body)
    assert body["id"] == notification.key == "alert-event-ev-1"
    assert body["type"] == notification.kind == "escalated"
    assert body["at"] == notification.at == 1234.5
    assert body["site"]["name_zh"] == "五一广场"
    assert body["alert"]["id"] == "al-1"
    assert body["event"]["value"] == 4.63
    # Prefixed with the site's wall clock (Changsha, UTC+8).
    assert body["summary"] == (
        "08:20:34 Wuyi Square: alert escalated, level high (4.6 persons/m² (peak); peak high)"
    )
    assert body["url"] == "https://crowd.example/#alert=al-1"
    assert body["camera"] is None


def test_a_turbulence_alert_gives_its_crowd_pressure_to_the_thousandth() -> None:
    payload = alert_payload(
        AlertEventKind.RAISED, level="turbulent", value=0.0347, at=1234.5, metric="crowd_pressure"
    )
    body = json.loads(alert_notification(payload, WUYI, None).body)
    assert body["summary"] == (
        "08:20:34 Wuyi Square: alert raised, level turbulent (0.035/s² crowd pressure; peak "
        "turbulent)"
    )


def test_an_operator_step_names_the_operator_and_the_note() -> None:
    payload = alert_payload(
        AlertEventKind.ACKNOWLEDGED,
        at=1_000.0,
        by="officer.li",
        note="on my way",
        metric="count",
        value=41,
    )
    body = json.loads(alert_notification(payload, None, None).body)
    # An unknown (retired) site is named by its id, its time in UTC; without a public URL
    # there is no link.
    assert body["summary"] == (
        "00:16:40 UTC wuyi-square: alert acknowledged by officer.li, level high "
        "(41.0 people; peak high): on my way"
    )
    assert body["url"] is None
    assert body["site"] is None


@pytest.mark.parametrize(
    ("status", "kind", "summary"),
    [
        pytest.param(
            "offline",
            "camera_offline",
            "08:03:10 Wuyi Square: camera offline for 1.5 min: no frames",
            id="offline",
        ),
        pytest.param(
            "online",
            "camera_online",
            "08:03:10 Wuyi Square: camera back online after 1.5 min offline",
            id="online",
        ),
    ],
)
def test_a_camera_change_is_named_by_its_outage(status: str, kind: str, summary: str) -> None:
    change = CameraChange(status=status, reason="no frames", offline_since=100.0, offline_s=90.0)
    notification = camera_notification("wuyi-square", change, 190.0, WUYI, "https://c.example")
    body = json.loads(notification.body)
    assert body["type"] == kind
    assert body["summary"] == summary
    # Both ends of one outage share its start, and differ by kind.
    assert notification.key == f"{kind}-wuyi-square-100.000"
    assert body["url"] == "https://c.example/#site=wuyi-square"
    assert notification.site_id == "wuyi-square"
    assert notification.peak_level is None


@pytest.mark.parametrize(
    ("change", "kind", "summary"),
    [
        pytest.param(
            {"state": "began", "kind": "stalled", "severity": "bad", "issues": []},
            "camera_fault",
            "08:03:10 Wuyi Square: no new picture for 1.5 min: the numbers shown are old",
            id="stalled",
        ),
        pytest.param(
            {"state": "began", "kind": "picture", "severity": "bad", "issues": ["blank"]},
            "camera_fault",
            "08:03:10 Wuyi Square: picture blank (lens covered?) for 1.5 min: no count",
            id="covered",
        ),
        pytest.param(
            {
                "state": "began",
                "kind": "picture",
                "severity": "warn",
                "issues": ["detail_loss", "blocking"],
            },
            "camera_fault",
            "08:03:10 Wuyi Square: poor picture (starved stream or blur, heavy compression) "
            "for 1.5 min: count doubtful",
            id="poor",
        ),
        pytest.param(
            {"state": "ended", "kind": "picture", "severity": "warn", "issues": ["noise"]},
            "camera_fault_ended",
            "08:03:10 Wuyi Square: poor picture (grainy) over after 1.5 min",
            id="ended",
        ),
        pytest.param(
            {
                "state": "ended",
                "kind": "stalled",
                "severity": "bad",
                "issues": [],
                "fault_now": "offline",
            },
            "camera_fault_ended",
            "08:03:10 Wuyi Square: no new picture over after 1.5 min; now camera offline",
            id="ended-by-an-outage",
        ),
    ],
)
def test_a_stalled_stream_or_poor_picture_says_what_and_for_how_long(
    change: dict[str, object], kind: str, summary: str
) -> None:
    fault = FaultChange.model_validate(change | {"since": 100.0, "lasted_s": 90.0})
    notification = fault_notification("wuyi-square", fault, 190.0, WUYI, "https://c.example")
    body = json.loads(notification.body)
    assert (body["type"], body["summary"]) == (kind, summary)
    assert body["fault"] == fault.model_dump(mode="json")
    assert body["url"] == "https://c.example/#site=wuyi-square"
    # Both ends of one fault share its name; a blank picture after a grainy one is another.
    assert notification.key == f"{kind}-wuyi-square-{fault.kind}-{fault.severity}-100.000"


def test_tests_are_distinct_messages() -> None:
    first = probe_notification("desk", 10.0, "admin")
    second = probe_notification("desk", 10.5, "admin")
    assert first.key != second.key
    assert (
        json.loads(first.body)["summary"] == "crowd-monitor test message to 'desk', sent by admin"
    )


def webhook(**changes: object) -> WebhookConfig:
    return WebhookConfig.model_validate({"name": "desk", "url": "http://x/hook", **changes})


def alert_of(kind: str, site: str = "wuyi-square", peak: str = "high") -> Notification:
    return Notification("k", kind, site, peak, 0.0, "{}")


CAMERA_OFFLINE = Notification("c", "camera_offline", "wuyi-square", None, 0.0, "{}")


@pytest.mark.parametrize(
    ("config", "notification", "expected"),
    [
        pytest.param({}, alert_of("raised"), True, id="default-events-raised"),
        pytest.param({}, alert_of("acknowledged"), False, id="default-events-not-acknowledged"),
        pytest.param({}, CAMERA_OFFLINE, True, id="default-events-camera"),
        pytest.param({"events": ["acknowledged"]}, alert_of("acknowledged"), True, id="chosen"),
        pytest.param({"sites": ["pozi-street"]}, alert_of("raised"), False, id="other-site"),
        pytest.param({"sites": ["wuyi-square"]}, alert_of("raised"), True, id="its-site"),
        pytest.param({"levels": ["danger"]}, alert_of("raised", peak="high"), False, id="lower"),
        pytest.param({"levels": ["danger"]}, alert_of("cleared", peak="danger"), True, id="peak"),
        # The level filter is about alerts: a dead camera matters whatever the crowd.
        pytest.param({"levels": ["danger"]}, CAMERA_OFFLINE, True, id="levels-skip-cameras"),
        pytest.param(
            {"events": ["raised"]}, probe_notification("desk", 0, "a"), True, id="tests-always"
        ),
    ],
)
def test_wanted(config: dict[str, object], notification: Notification, expected: bool) -> None:
    assert wanted(webhook(**config), notification) is expected


def test_every_kind_is_a_step_a_camera_change_a_forecast_or_a_fault_in_hand() -> None:
    steps = {str(kind) for kind in AlertEventKind}
    others = {
        "camera_offline",
        "camera_online",
        "camera_fault",
        "camera_fault_ended",
        "forecast",
        "fault_acknowledged",
        "repair_overdue",
        "fault_unattended",
        "turbulence",
    }
    assert {str(k) for k in NotificationKind} == steps | others


@pytest.mark.parametrize(
    ("eta_s", "when"),
    [
        pytest.param(105.0, "in about 2 min", id="minutes"),
        pytest.param(20.0, "in about 1 min", id="under-a-minute"),
        pytest.param(0.0, "now", id="pending"),
    ],
)
def test_a_forecast_says_which_level_and_when(eta_s: float, when: str) -> None:
    forecast = ForecastPublic(
        level="critical", eta_s=eta_s, value=3.6, rate_per_min=0.8, current_level="high"
    )
    notification = forecast_notification("wuyi-square", forecast, 190.0, WUYI, None)
    body = json.loads(notification.body)
    assert body["summary"] == (
        f"08:03:10 Wuyi Square: heading for critical {when} "
        "(now 3.6 persons/m² (peak), rising 0.80 a minute)"
    )
    assert body["forecast"]["current_level"] == "high"
    assert (notification.kind, notification.peak_level) == ("forecast", "critical")
    assert notification.key == "forecast-wuyi-square-critical-190.000"


def test_turbulence_says_how_hard_the_crowd_is_pushed_and_to_look_now() -> None:
    turbulence = TurbulencePublic(pressure=0.0345, speed_m_s=1.1, peak_density=5.42, count=212)
    notification = turbulence_notification("wuyi-square", turbulence, 190.0, WUYI, None)
    body = json.loads(notification.body)
    assert body["summary"] == (
        "08:03:10 Wuyi Square: crowd turbulence, a dense crowd pushed in different directions "
        "(pressure 0.035/s², peak 5.4 persons/m², 212 people): look at the camera now"
    )
    assert body["turbulence"] == {
        "pressure": 0.0345,
        "speed_m_s": 1.1,
        "peak_density": 5.42,
        "count": 212,
    }
    # Told whatever the alert level: a webhook's `levels` filter does not hold it back.
    assert (notification.kind, notification.peak_level) == ("turbulence", None)
    assert notification.key == "turbulence-wuyi-square-190.000"


# 2026-12-02 06:00 UTC: 14:00 in Changsha.
ACK_AT = 1_796_191_200.0


def fault_ack(
    expected_back: float | None = ACK_AT + 3 * 86_400, note: str = "ticket 4711"
) -> FaultAckPublic:
    return FaultAckPublic(
        site_id="wuyi-square",
        kind="offline",
        since=ACK_AT - 600,
        at=ACK_AT,
        by="li",
        note=note,
        expected_back=expected_back,
    )


@pytest.mark.parametrize(
    ("ack", "summary"),
    [
        pytest.param(
            fault_ack(),
            "14:00:00 Wuyi Square: camera offline taken in hand by li: ticket 4711; "
            "expected back by 2026-12-05 14:00",
            id="with-a-repair-date",
        ),
        pytest.param(
            fault_ack(None, ""),
            "14:00:00 Wuyi Square: camera offline taken in hand by li",
            id="until-it-recovers",
        ),
    ],
)
def test_a_fault_taken_in_hand_says_who_why_and_until_when(
    ack: FaultAckPublic, summary: str
) -> None:
    notification = fault_ack_notification(ack, WUYI, "https://cc.example")
    body = json.loads(notification.body)
    assert (notification.kind, notification.site_id) == ("fault_acknowledged", "wuyi-square")
    assert body["summary"] == summary
    assert body["fault_ack"]["by"] == "li"
    assert body["url"] == "https://cc.example/#site=wuyi-square"


def test_an_overdue_repair_says_when_it_was_due_and_whose_promise_it_was() -> None:
    ack = fault_ack()
    assert ack.expected_back is not None
    notification = repair_overdue_notification(ack, ack.expected_back + 60, WUYI, None)
    body = json.loads(notification.body)
    assert notification.kind == "repair_overdue"
    assert body["summary"] == (
        "14:01:00 Wuyi Square: camera offline past the time it was expected back "
        "(2026-12-05 14:00, li: ticket 4711)"
    )
    # Once per acknowledgement, whichever endpoint and however often it is sent.
    assert (
        notification.key == repair_overdue_notification(ack, ack.expected_back + 99, WUYI, None).key
    )


LAPSED = FaultAckPublic(
    site_id="wuyi-square",
    kind="offline",
    since=-3 * 3600.0,
    at=0.0,
    by="li",
    note="ticket 4711",
    expected_back=600.0,
)


def reminder(**fields: object) -> FaultReminder:
    base: dict[str, object] = {
        "kind": "offline",
        "severity": "bad",
        "since": -3 * 3600.0,
        "lasted_s": 3 * 3600.0 + 190,
        "round": 3,
        "reason": "stream ended",
        "issues": [],
    }
    return FaultReminder.model_validate(base | fields)


@pytest.mark.parametrize(
    ("fields", "summary"),
    [
        pytest.param(
            {},
            "08:03:10 Wuyi Square: camera offline for 3 h 3 min, and nobody has it in hand: "
            "stream ended",
            id="offline",
        ),
        pytest.param(
            {"kind": "picture", "severity": "warn", "issues": ["noise"], "lasted_s": 5400.0},
            "08:03:10 Wuyi Square: poor picture (grainy) for 1 h 30 min, and nobody has it in hand",
            id="grainy",
        ),
        pytest.param(
            {"kind": "picture", "issues": ["blank", "noise"], "lasted_s": 2700.0},
            "08:03:10 Wuyi Square: picture blank (lens covered?) for 45 min, and nobody has it "
            "in hand",
            id="covered",
        ),
        pytest.param(
            {"kind": "stalled", "reason": "", "lasted_s": 2 * 86_400.0 + 4 * 3600},
            "08:03:10 Wuyi Square: no new picture for 2 d 4 h, and nobody has it in hand",
            id="stalled-for-days",
        ),
        pytest.param(
            {"lapsed_ack": LAPSED},
            "08:03:10 Wuyi Square: camera offline for 3 h 3 min, still down after li expected "
            "it back by 1970-01-01 08:10, ticket 4711: stream ended",
            id="repair-overdue",
        ),
    ],
)
def test_a_fault_still_nobodys_says_what_for_how_long_and_whose_promise_lapsed(
    fields: dict[str, object], summary: str
) -> None:
    notification = fault_unattended_notification(
        "wuyi-square", reminder(**fields), 190.0, WUYI, "https://cc.example"
    )
    body = json.loads(notification.body)
    assert notification.kind == body["type"] == "fault_unattended"
    assert body["summary"] == summary
    assert body["reminder"] == reminder(**fields).model_dump(mode="json")
    assert body["url"] == "https://cc.example/#site=wuyi-square"


def test_each_round_of_a_reminder_is_an_event_of_its_own() -> None:
    def key(**fields: object) -> str:
        return fault_unattended_notification(
            "wuyi-square", reminder(**fields), 190.0, WUYI, None
        ).key

    assert key() == key(lasted_s=99_999.0)  # the same round, sent again after a restart
    assert len({key(), key(round=4), key(since=0.0), key(kind="starting")}) == 4
