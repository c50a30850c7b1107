"""The service against a real HTTP receiver (uvicorn), on a real outbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import Engine
from standardwebhooks.webhooks import Webhook

from monitor.alerts.model import AlertEventKind
from monitor.bus.bus import InMemoryBus
from monitor.bus.messages import (
    AlertToldPayload,
    FaultAckPayload,
    FaultAckPublic,
    MessageType,
    MotionPublic,
    SiteStatusPayload,
    TrendPublic,
)
from monitor.config.notify import NotifyConfig
from monitor.faults.camera import CameraFault
from monitor.notify.events import SiteRef
from monitor.notify.outbox import DeliveryState, Outbox
from monitor.notify.service import NotificationService, WebhookEnvError
from monitor.notify.verdict import RetryPolicy
from tests.notify.builders import WUYI, alert_payload, reading_payload
from tests.support.receiver import Receiver
from tests.support.server import RunningServer, running_server

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
FAST = RetryPolicy(initial_s=0.05, max_s=0.2)


def sites(site_id: str) -> SiteRef | None:
    return WUYI if site_id == WUYI.id else None


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"  # nothing listens there once the socket closes


def notify_config(url: str, **webhook: Any) -> NotifyConfig:
    hook = {"name": "desk", "url": url, **webhook}
    return NotifyConfig.model_validate({"webhooks": [hook], "camera_offline_after_s": 0.2})


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, RunningServer]]:
    hooks = Receiver()
    with running_server(hooks.app) as server:
        yield hooks, server


@contextmanager
def running(
    config: NotifyConfig,
    engine: Engine,
    bus: InMemoryBus,
    environ: dict[str, str] | None = None,
    clock: Callable[[], float] = time.time,
    **services: Any,
) -> Iterator[NotificationService]:
    service = NotificationService(
        config,
        Outbox(engine),
        bus,
        sites,
        environ=environ or {},
        clock=clock,
        policy=FAST,
        **services,
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_an_alert_reaches_the_receiver_signed_and_authorised(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    config = notify_config(
        server.url("/hook"), secret_env="DESK_SECRET", authorization_env="DESK_KEY"
    )
    env = {"DESK_SECRET": SECRET, "DESK_KEY": "Bearer k-123"}
    with running(config, engine, bus, env) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(AlertEventKind.RAISED))
        [request] = hooks.wait_for(1)
        # The receiver checks it with the Standard Webhooks reference library.
        body = Webhook(SECRET).verify(request.body, request.headers)
        assert body["type"] == "raised"
        assert body["site"]["name_en"] == "Wuyi Square"
        assert request.headers["webhook-id"] == body["id"] == "alert-event-ev-1"
        assert request.headers["authorization"] == "Bearer k-123"
        assert request.headers["content-type"] == "application/json"
        wait_until(lambda: service.outbox.deliveries()[0].state is DeliveryState.DELIVERED)
        [delivery] = service.outbox.deliveries()
        assert (delivery.attempts, delivery.status_code, delivery.error) == (1, 200, "")


def test_a_tampered_body_fails_verification(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    config = notify_config(server.url("/hook"), secret_env="S")
    with running(config, engine, bus, {"S": SECRET}):
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        [request] = hooks.wait_for(1)
    with pytest.raises(Exception, match="signature"):
        Webhook(SECRET).verify(request.body.replace("high", "low"), request.headers)


def test_a_failing_receiver_is_retried_and_keeps_the_order(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(503, 429)
    bus = InMemoryBus()
    with running(notify_config(server.url("/hook")), engine, bus) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(event_id="e1"))
        bus.publish(
            MessageType.ALERT, "wuyi-square", alert_payload(AlertEventKind.CLEARED, event_id="e2")
        )
        requests = hooks.wait_for(4)
        assert [r.json["id"] for r in requests] == [
            "alert-event-e1",
            "alert-event-e1",
            "alert-event-e1",
            "alert-event-e2",
        ]
        assert [r.status for r in requests] == [503, 429, 200, 200]
        wait_until(
            lambda: all(d.state is DeliveryState.DELIVERED for d in service.outbox.deliveries())
        )
        first = service.outbox.deliveries()[-1]
        assert (first.attempts, first.error) == (3, "")
        assert service.endpoints()[0].failures_in_row == 0


def test_a_refusal_fails_that_event_only(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(400)
    bus = InMemoryBus()
    with running(notify_config(server.url("/hook")), engine, bus) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(event_id="e1"))
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(event_id="e2"))
        assert [r.status for r in hooks.wait_for(2)] == [400, 200]
        wait_until(lambda: service.outbox.deliveries()[0].state is DeliveryState.DELIVERED)
        refused = service.outbox.deliveries()[1]
        assert (refused.state, refused.attempts, refused.error) == (
            DeliveryState.FAILED,
            1,
            "HTTP 400: refused with 400",
        )
        # Fixed on the receiver's side: an operator retries it.
        service.retry(refused.id)
        [*_, again] = hooks.wait_for(3)
        assert again.json["id"] == "alert-event-e1"


def test_only_the_chosen_sites_and_levels_are_sent(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    config = notify_config(server.url("/hook"), sites=["wuyi-square"], levels=["danger"])
    with running(config, engine, bus):
        bus.publish(
            MessageType.ALERT, "pozi", alert_payload(site_id="pozi", level="danger", event_id="e1")
        )
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(level="high", event_id="e2"))
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(level="danger", event_id="e3"))
        # A wanted marker after them: events go out in the order they were published, so
        # anything let through wrongly would have come before it.
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(level="danger", event_id="e4"))
        hooks.wait_for(2)
    assert [r.json["id"] for r in hooks.requests] == ["alert-event-e3", "alert-event-e4"]


def test_a_camera_down_long_enough_is_announced_and_so_is_its_return(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    with running(notify_config(server.url("/hook")), engine, bus):
        # A blip shorter than camera_offline_after_s (0.2 s) pages nobody.
        bus.publish(MessageType.SITE_STATUS, "wuyi-square", SiteStatusPayload(status="offline"))
        bus.publish(MessageType.SITE_STATUS, "wuyi-square", SiteStatusPayload(status="online"))
        bus.publish(
            MessageType.SITE_STATUS,
            "wuyi-square",
            SiteStatusPayload(status="offline", reason="stream ended"),
        )
        [down] = hooks.wait_for(1)
        assert down.json["type"] == "camera_offline"
        assert down.json["camera"]["reason"] == "stream ended"
        assert down.json["camera"]["offline_s"] >= 0.2
        bus.publish(MessageType.SITE_STATUS, "wuyi-square", SiteStatusPayload(status="online"))
        [_, back] = hooks.wait_for(2)
        assert back.json["type"] == "camera_online"
        assert back.json["camera"]["offline_since"] == down.json["camera"]["offline_since"]


def test_an_unreachable_receiver_is_given_up_on_after_the_limit(engine: Engine) -> None:
    now = [time.time()]
    bus = InMemoryBus()
    config = notify_config(closed_port_url())
    with running(config, engine, bus, clock=lambda: now[0]) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        # The sender stores the attempt, then notes it on the endpoint: wait for both.
        wait_until(
            lambda: (
                bool(service.outbox.deliveries())
                and service.outbox.deliveries()[0].attempts >= 1
                and service.endpoints()[0].failures_in_row >= 1
            )
        )
        status = service.endpoints()[0]
        assert "ConnectError" in status.last_error
        now[0] += config.give_up_after_s + 1
        wait_until(lambda: service.outbox.deliveries()[0].state is DeliveryState.FAILED)
        failed = service.outbox.deliveries()[0]
        assert failed.error.startswith("gave up after ")
        assert "ConnectError" in failed.error


def test_what_was_queued_before_a_restart_is_delivered_after_it(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    with running(notify_config(closed_port_url()), engine, bus) as down:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        wait_until(lambda: bool(down.outbox.deliveries()))
    # The receiver has moved to where it answers (same endpoint name, new address).
    with running(notify_config(server.url("/hook")), engine, InMemoryBus()):
        [request] = hooks.wait_for(1)
        assert request.json["id"] == "alert-event-ev-1"


def test_a_test_message_answers_how_it_went(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    with running(notify_config(server.url("/hook")), engine, InMemoryBus()) as service:
        sent = service.send_test("desk", "admin")
        assert (sent.state, sent.status_code, sent.kind) == (DeliveryState.DELIVERED, 200, "test")
        hooks.answer(401)
        refused = service.send_test("desk", "admin")
        assert (refused.state, refused.error) == (
            DeliveryState.FAILED,
            "HTTP 401: refused with 401",
        )
        assert [r.json["type"] for r in hooks.requests] == ["test", "test"]
    with running(notify_config(closed_port_url()), engine, InMemoryBus()) as service:
        unreachable = service.send_test("desk", "admin")
        assert unreachable.status_code is None
        assert "ConnectError" in unreachable.error


def test_a_missing_secret_stops_the_service_being_built(engine: Engine) -> None:
    config = notify_config("http://127.0.0.1:9/hook", secret_env="NOT_SET_ANYWHERE")
    with pytest.raises(WebhookEnvError, match="'desk': environment variable NOT_SET_ANYWHERE"):
        NotificationService(config, Outbox(engine), InMemoryBus(), sites, environ={})


def test_without_webhooks_nothing_runs(engine: Engine) -> None:
    bus = InMemoryBus()
    service = NotificationService(NotifyConfig(), Outbox(engine), bus, sites, environ={})
    service.start()
    bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
    service.stop()
    assert service.outbox.deliveries() == []
    assert service.endpoints() == []


def test_health_is_published_when_an_endpoint_starts_and_stops_failing(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(503, 503, 503, 200, 400)
    bus = InMemoryBus()
    health = bus.subscribe(types=frozenset({MessageType.WEBHOOK_STATUS}))
    with running(notify_config(server.url("/hook")), engine, bus) as service:
        assert [h.problem for h in service.health()] == [""]
        for n in range(3):
            bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(event_id=f"e{n}"))
        hooks.wait_for(6)  # e0: 503 three times, then 200; e1: 400; e2: 200
        wait_until(lambda: len(service.outbox.deliveries(state=DeliveryState.DELIVERED)) == 2)
        changes = []
        while (item := health.get(timeout=1.0)) is not None:
            changes.append(item.payload.webhook)  # type: ignore[union-attr]
        # Once per change of problem, not once per failure.
        assert [(h.problem, h.failures_in_row) for h in changes] == [
            ("not_answering", 1),
            ("", 0),
            ("refusing", 0),
            ("", 0),
        ]
        assert changes[0].since is not None
        assert changes[0].next_try_at is not None
        assert changes[1].since is None


def chat_config(format: str, **webhook: Any) -> NotifyConfig:
    hook = {"name": "duty-group", "url_env": "DUTY_BOT_URL", "format": format, **webhook}
    return NotifyConfig.model_validate({"webhooks": [hook]})


def test_a_signed_dingtalk_bot_gets_the_summary_with_its_signature_in_the_query(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(200, body='{"errcode":0,"errmsg":"ok"}')
    env = {"DUTY_BOT_URL": server.url("/hook?access_token=tok-1"), "BOT_SECRET": "SECxyz"}
    bus = InMemoryBus()
    config = chat_config("dingtalk", secret_env="BOT_SECRET")
    with running(config, engine, bus, env) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        [request] = hooks.wait_for(1)
        body = request.json
        assert body["msgtype"] == "text"
        assert "Wuyi Square: alert raised, level high" in body["text"]["content"]
        query = parse_qs(urlsplit(request.url).query)
        assert query["access_token"] == ["tok-1"]
        stamp = query["timestamp"][0]
        signed = hmac.new(b"SECxyz", f"{stamp}\nSECxyz".encode(), hashlib.sha256).digest()
        assert base64.b64decode(query["sign"][0]) == signed
        wait_until(lambda: service.outbox.deliveries()[0].state is DeliveryState.DELIVERED)
        [status] = service.endpoints()
        # The bot's key is in its URL: only scheme and host are shown.
        assert status.url == f"{server.base_url}/… (from $DUTY_BOT_URL)"
        assert (status.format, status.signed) == ("dingtalk", True)


def test_a_chat_bot_that_answers_200_with_an_error_code_has_refused(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(200, body='{"errcode":93000,"errmsg":"invalid webhook url"}')
    bus = InMemoryBus()
    env = {"DUTY_BOT_URL": server.url("/hook?key=k")}
    with running(chat_config("wecom"), engine, bus, env) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        hooks.wait_for(1)
        wait_until(lambda: service.outbox.deliveries()[0].state is DeliveryState.FAILED)
        refused = service.outbox.deliveries()[0]
        assert refused.error == "HTTP 200: error 93000: invalid webhook url"
        assert [h.problem for h in service.health()] == ["refusing"]


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        pytest.param({}, "environment variable DUTY_BOT_URL is not set", id="unset"),
        pytest.param(
            {"DUTY_BOT_URL": "not a url"},
            "environment variable DUTY_BOT_URL holds no http(s) URL",
            id="not-a-url",
        ),
    ],
)
def test_a_url_from_the_environment_must_be_there_and_be_a_url(
    engine: Engine, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(WebhookEnvError, match=re.escape(message)):
        NotificationService(
            chat_config("slack"), Outbox(engine), InMemoryBus(), sites, environ=environ
        )


def test_a_camera_back_before_the_intake_caught_up_is_not_announced(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    gate = threading.Event()

    def behind() -> float:
        # The intake thread waits until both changes are queued, then reads a clock 10 s on:
        # it is behind, as under load, and the blip looks 10 s long when it gets to it.
        if threading.current_thread().name == "notify-intake":
            gate.wait(10)
        return time.time() + 10

    bus = InMemoryBus()
    with running(notify_config(server.url("/hook")), engine, bus, clock=behind):
        bus.publish(MessageType.SITE_STATUS, "wuyi-square", SiteStatusPayload(status="offline"))
        bus.publish(MessageType.SITE_STATUS, "wuyi-square", SiteStatusPayload(status="online"))
        # A marker: the intake takes events in order, and each endpoint sends them so.
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        gate.set()
        hooks.wait_for(1)
    assert [r.json["type"] for r in hooks.requests] == ["raised"]


RISING = TrendPublic(
    direction="rising",
    rate_per_min=0.8,
    value=3.6,
    next_level="danger",
    next_enter=5.0,
    next_color="#e03131",
    eta_s=105.0,
)


@pytest.mark.parametrize(
    ("events", "told"),
    [
        pytest.param(["raised", "forecast"], True, id="asked-for"),
        pytest.param(["raised"], False, id="not-asked-for"),
    ],
)
def test_a_rising_crowd_minutes_from_a_level_is_forecast_once(
    engine: Engine, receiver: tuple[Receiver, RunningServer], events: list[str], told: bool
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    with running(notify_config(server.url("/hook"), events=events), engine, bus):
        now = time.time()
        for k in range(3):  # three readings of one rising episode
            bus.publish(MessageType.READING, "wuyi-square", reading_payload(now + k, trend=RISING))
        bus.publish(MessageType.READING, "wuyi-square", reading_payload(now + 3))
        # A marker: the intake takes events in order, and each endpoint sends them so.
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        hooks.wait_for(2 if told else 1)
    kinds = [r.json["type"] for r in hooks.requests]
    assert kinds == (["forecast", "raised"] if told else ["raised"])
    if told:
        forecast = hooks.requests[0].json
        assert forecast["forecast"]["level"] == "danger"
        assert "Wuyi Square: heading for danger in about 2 min" in forecast["summary"]


@pytest.mark.parametrize(
    ("events", "told"),
    [
        pytest.param(["raised", "turbulence"], True, id="asked-for"),
        pytest.param(["raised", "forecast"], False, id="not-asked-for"),
    ],
)
def test_a_turbulent_crowd_is_told_once_an_episode(
    engine: Engine, receiver: tuple[Receiver, RunningServer], events: list[str], told: bool
) -> None:
    hooks, server = receiver
    pushed = MotionPublic(speed_m_s=1.1, pressure=0.035, turbulent=True)
    calm = MotionPublic(speed_m_s=0.4, pressure=0.004, turbulent=False)
    bus = InMemoryBus()
    with running(notify_config(server.url("/hook"), events=events), engine, bus):
        now = time.time()
        for k, motion in enumerate([calm, pushed, pushed, None, pushed]):
            bus.publish(MessageType.READING, "wuyi-square", reading_payload(now + k, motion=motion))
        # A marker: the intake takes events in order, and each endpoint sends them so.
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        hooks.wait_for(2 if told else 1)
    kinds = [r.json["type"] for r in hooks.requests]
    assert kinds == (["turbulence", "raised"] if told else ["raised"])
    if told:
        body = hooks.requests[0].json
        assert body["turbulence"]["pressure"] == 0.035
        assert "Wuyi Square: crowd turbulence" in body["summary"]


def test_each_alert_step_settled_is_told_to_the_live_pages(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(200, 422)
    bus = InMemoryBus()
    told = bus.subscribe(types=frozenset({MessageType.ALERT_TOLD}))
    with running(notify_config(server.url("/hook")), engine, bus) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(event_id="e1"))
        bus.publish(
            MessageType.ALERT, "wuyi-square", alert_payload(AlertEventKind.CLEARED, event_id="e2")
        )
        # Camera outages have no alert card: nothing is told of them.
        bus.publish(MessageType.SITE_STATUS, "wuyi-square", SiteStatusPayload(status="offline"))
        first = told.get(timeout=10)
        second = told.get(timeout=10)
        assert first is not None
        assert second is not None
        assert first.site_id == "wuyi-square"
        assert isinstance(first.payload, AlertToldPayload)
        assert isinstance(second.payload, AlertToldPayload)
        delivered, refused = first.payload.told, second.payload.told
        assert (delivered.alert_id, delivered.webhook, delivered.kind, delivered.state) == (
            "al-1",
            "desk",
            "raised",
            "delivered",
        )
        assert (refused.kind, refused.state, refused.error) == (
            "cleared",
            "failed",
            "HTTP 422: refused with 422",
        )
        # The snapshot keeps the latest step per alert and webhook.
        assert service.told() == [refused]
        found = service.outbox.deliveries()
        raised = [d for d in found if d.kind == "raised"]
        assert len(raised) == 1, [(d.kind, d.key) for d in found]
        [stored] = raised
        assert stored.alert_id == "al-1"


def test_a_restarted_service_still_knows_who_was_told_of_each_alert(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    hooks.answer(200, 422)
    config = notify_config(server.url("/hook"))
    bus = InMemoryBus()
    with running(config, engine, bus) as service:
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(event_id="e1"))
        bus.publish(
            MessageType.ALERT, "wuyi-square", alert_payload(AlertEventKind.CLEARED, event_id="e2")
        )
        wait_until(lambda: len(service.told()) == 1 and service.told()[0].kind == "cleared")
        before = service.told()
    with running(config, engine, InMemoryBus()) as restarted:
        after = restarted.told()
    [refused] = after
    assert (refused.alert_id, refused.webhook, refused.kind, refused.state, refused.error) == (
        "al-1",
        "desk",
        "cleared",
        "failed",
        "HTTP 422: refused with 422",
    )
    assert after == before


def test_a_fault_taken_in_hand_is_told_and_its_repair_followed_up(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    bus = InMemoryBus()
    config = notify_config(
        server.url("/hook"), events=["fault_acknowledged", "repair_overdue", "resolved"]
    )
    now = time.time()
    down_since = now - 600
    # Pozi Street's camera was promised back before the monitor restarted; it still is not.
    promised = FaultAckPublic(
        site_id="pozi-street",
        kind="offline",
        since=down_since - 100,
        at=now - 3600,
        by="wang",
        note="vendor booked",
        expected_back=now - 60,
    )
    faults = {
        "wuyi-square": CameraFault("offline", "bad", down_since),
        "pozi-street": CameraFault("offline", "bad", down_since - 100),
    }
    with running(
        config, engine, bus, site_faults=lambda _now: faults, fault_acks=lambda: [promised]
    ) as service:
        [restart_reminder] = hooks.wait_for(1)
        assert restart_reminder.json["type"] == "repair_overdue"
        assert restart_reminder.json["fault_ack"]["site_id"] == "pozi-street"
        ack = FaultAckPublic(
            site_id="wuyi-square",
            kind="offline",
            since=down_since,
            at=now,
            by="li",
            note="ticket 4711",
            expected_back=time.time() + 0.5,
        )
        bus.publish(MessageType.FAULT_ACK, "wuyi-square", FaultAckPayload(ack=ack))
        told, overdue = hooks.wait_for(3)[1:]
        assert told.json["type"] == "fault_acknowledged"
        assert "camera offline taken in hand by li: ticket 4711" in told.json["summary"]
        assert overdue.json["type"] == "repair_overdue"
        assert overdue.json["fault_ack"] == ack.model_dump(mode="json")
        assert "past the time it was expected back" in overdue.json["summary"]

        # Repaired in time: taken in hand is told, no reminder follows. An event sent after
        # its time has passed is the marker that nothing else was sent.
        del faults["wuyi-square"]
        again = ack.model_copy(update={"at": time.time(), "expected_back": time.time() + 0.3})
        bus.publish(MessageType.FAULT_ACK, "wuyi-square", FaultAckPayload(ack=again))
        time.sleep(0.6)
        bus.publish(MessageType.ALERT, "wuyi-square", alert_payload(AlertEventKind.RESOLVED))
        kinds = [r.json["type"] for r in hooks.wait_for(5)]
        assert kinds[3:] == ["fault_acknowledged", "resolved"]
    # Restarted again: the reminders already sent are not sent twice.
    with running(
        config,
        engine,
        InMemoryBus(),
        site_faults=lambda _now: faults,
        fault_acks=lambda: [promised],
    ):
        time.sleep(0.5)
    assert len(hooks.requests) == 5
    assert len(service.outbox.deliveries()) == 5


def test_a_stalled_stream_is_told_once_it_lasted_and_so_is_its_end(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    hooks, server = receiver
    config = NotifyConfig.model_validate(
        {
            "webhooks": [
                {
                    "name": "desk",
                    "url": server.url("/hook"),
                    "events": ["camera_fault", "camera_fault_ended"],
                }
            ],
            "camera_fault_after_s": 0.3,
        }
    )
    faults: dict[str, CameraFault] = {}
    with running(config, engine, InMemoryBus(), site_faults=lambda _now: dict(faults)):
        since = time.time()
        faults["wuyi-square"] = CameraFault("stalled", "bad", since)
        [began] = hooks.wait_for(1)
        assert time.time() - since >= 0.3
        assert began.json["type"] == "camera_fault"
        assert began.json["fault"] | {"lasted_s": None} == {
            "state": "began",
            "kind": "stalled",
            "severity": "bad",
            "issues": [],
            "since": since,
            "lasted_s": None,
            "fault_now": None,
        }
        assert began.json["fault"]["lasted_s"] >= 0.3
        assert re.search(
            r" Wuyi Square: no new picture for 0\.\d min: the numbers shown are old$",
            began.json["summary"],
        )
        del faults["wuyi-square"]
        [_, ended] = hooks.wait_for(2)
        assert ended.json["type"] == "camera_fault_ended"
        assert ended.json["fault"]["since"] == since
        assert ended.json["id"] != began.json["id"]
        assert " Wuyi Square: no new picture over after " in ended.json["summary"]


def test_nobody_asks_for_the_sites_faults_unless_someone_wants_them(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    """Judging every site's fault builds every site's state: only for a webhook that wants
    to hear of stalled streams and poor pictures, or a repair that has come due."""
    _, server = receiver
    asked: list[float] = []

    def site_faults(now: float) -> dict[str, CameraFault]:
        asked.append(now)
        return {}

    wanting = notify_config(server.url("/hook"), events=["camera_fault"])
    with running(
        notify_config(server.url("/hook")), engine, InMemoryBus(), site_faults=site_faults
    ):
        time.sleep(1.2)
    assert asked == []
    with running(wanting, engine, InMemoryBus(), site_faults=site_faults):
        wait_until(lambda: len(asked) >= 2)
    assert asked[1] - asked[0] >= 0.9  # once a second, not on every poll


def test_a_fault_nobody_has_in_hand_is_reminded_of_until_someone_does(
    engine: Engine, receiver: tuple[Receiver, RunningServer]
) -> None:
    """Hours pass on the service's clock (shifted forward), seconds on the test's."""
    hooks, server = receiver
    bus = InMemoryBus()
    hour = 3600.0
    shift = [0.0]

    def clock() -> float:
        return time.time() + shift[0]

    config = NotifyConfig.model_validate(
        {
            "webhooks": [
                {"name": "desk", "url": server.url("/hook"), "events": ["fault_unattended"]}
            ],
            "fault_remind_every_s": hour,
        }
    )
    since = time.time() - hour + 0.5  # an hour old in half a second
    dark = CameraFault("offline", "bad", since, reason="stream ended")
    faults = {"wuyi-square": dark}
    with running(config, engine, bus, clock=clock, site_faults=lambda _now: faults):
        [first] = hooks.wait_for(1)
        assert first.json["type"] == "fault_unattended"
        assert first.json["reminder"]["round"] == 1
        assert first.json["reminder"]["lapsed_ack"] is None
        assert first.json["summary"].endswith(
            " Wuyi Square: camera offline for 1 h, and nobody has it in hand: stream ended"
        )

        # Taken in hand until a time: the hour that passes meanwhile is silent.
        ack = FaultAckPublic(
            site_id="wuyi-square",
            kind="offline",
            since=since,
            at=clock(),
            by="li",
            note="vendor booked",
            expected_back=clock() + 1.5 * hour,
        )
        bus.publish(MessageType.FAULT_ACK, "wuyi-square", FaultAckPayload(ack=ack))
        time.sleep(0.5)  # the intake takes the acknowledgement first
        shift[0] += hour
        time.sleep(2.5)
        assert len(hooks.requests) == 1

        # The promise lapsed: the next round is reminded of, and names it.
        shift[0] += hour
        [_, second] = hooks.wait_for(2)
        assert second.json["reminder"]["round"] == 3
        assert second.json["reminder"]["lapsed_ack"] == ack.model_dump(mode="json")
        assert "still down after li expected it back by " in second.json["summary"]
    # Restarted: the round already told is not told twice.
    with running(
        config,
        engine,
        InMemoryBus(),
        clock=clock,
        site_faults=lambda _now: faults,
        fault_acks=lambda: [ack],
    ):
        time.sleep(2.5)
    assert len(hooks.requests) == 2
