from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import URL
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from monitor.api.app import create_app
from monitor.api.routers.ws import parse_event_id
from monitor.api.services import Services
from monitor.api.stream import SLOW_CONSUMER_REASON, StreamLimits
from monitor.auth.roles import Role
from monitor.bus.convert import reading_payload
from monitor.bus.messages import MessageType
from monitor.config.app import MapConfig
from monitor.store.sql import SqlStore
from tests.api.conftest import recv_envelope, recv_until_closed, wait_until
from tests.support.api_harness import RECV_TIMEOUT_S, Api, ApiFactory, RecordingBus
from tests.support.auth import api_token, bearer, security
from tests.support.fake_monitor import FakeMonitor, stored_reading
from tests.support.server import running_server

T0 = 1_700_000_000.0


def _publish_readings(api: Api, count: int, start: int = 0) -> list[int]:
    """Publishes `count` readings of gate-b, as the pipeline would, and returns their ids."""
    ids = []
    for seq in range(start, start + count):
        reading = stored_reading("gate-b", seq, T0 + seq, peak=0.25)
        ids.append(api.bus.publish(MessageType.READING, "gate-b", reading_payload(reading)).id)
    return ids


def _recv_ids(client: ClientConnection, count: int) -> list[int]:
    return [recv_envelope(client)["id"] for _ in range(count)]


def _snapshot(client: ClientConnection) -> dict[str, Any]:
    envelope = recv_envelope(client)
    assert envelope["id"] == 0
    assert envelope["type"] == "snapshot"
    assert envelope["site_id"] is None
    payload: dict[str, Any] = envelope["payload"]
    return payload


def test_snapshot_then_live_events(api: Api) -> None:
    api.monitor.observe("gate-a", seq=1, at=T0, peak=3.0)  # raises an alert before connecting
    client = api.connect()

    snapshot = _snapshot(client)
    reading = api.monitor.observe("gate-a", seq=2, at=T0 + 1, peak=4.5)  # escalates
    live = [recv_envelope(client), recv_envelope(client)]

    assert [s["id"] for s in snapshot["sites"]] == ["gate-a", "gate-b"]
    assert snapshot["sites"][0]["latest"]["seq"] == 1
    assert [a["level"] for a in snapshot["open_alerts"]] == ["elevated"]
    assert snapshot["resync"] is False
    assert [(e["type"], e["site_id"]) for e in live] == [("reading", "gate-a"), ("alert", "gate-a")]
    assert live[0]["payload"]["seq"] == reading.seq
    assert live[1]["payload"]["event"]["kind"] == "escalated"
    assert live[0]["id"] < live[1]["id"]
    assert set(live[0]) == {"id", "type", "ts", "site_id", "payload"}


def test_events_are_sent_exactly_as_published(api: Api) -> None:
    client = api.connect()
    _snapshot(client)

    published = api.bus.publish(
        MessageType.READING, "gate-b", reading_payload(stored_reading("gate-b", 1, T0, 0.5))
    )

    assert client.recv(timeout=RECV_TIMEOUT_S) == published.text


def test_every_client_gets_every_event(api: Api) -> None:
    clients = [api.connect() for _ in range(3)]
    for client in clients:
        _snapshot(client)

    ids = _publish_readings(api, 5)

    for client in clients:
        assert _recv_ids(client, 5) == ids


@pytest.mark.parametrize(
    "missed", [pytest.param(0, id="nothing-missed"), pytest.param(4, id="some")]
)
def test_resume_gets_exactly_the_missed_events(api: Api, missed: int) -> None:
    with api.connect() as first:
        _snapshot(first)
        seen = _publish_readings(api, 3)
        assert _recv_ids(first, 3) == seen
    missed_ids = _publish_readings(api, missed, start=3)

    resumed = api.connect(f"?last_event_id={seen[-1]}")
    snapshot = _snapshot(resumed)
    backlog = _recv_ids(resumed, missed)
    live_ids = _publish_readings(api, 2, start=10)

    assert snapshot["resync"] is False
    assert backlog == missed_ids
    assert _recv_ids(resumed, 2) == live_ids


@pytest.mark.parametrize(
    "last_event_id",
    [
        pytest.param("1", id="evicted"),
        pytest.param("0", id="zero-evicted"),
        pytest.param(str(10**15), id="from-the-future"),
        pytest.param("9" * 200, id="huge"),
    ],
)
def test_resume_from_unbuffered_id_gets_resync_snapshot(
    make_api: ApiFactory, last_event_id: str
) -> None:
    api = make_api(replay_size=4)
    _publish_readings(api, 10)  # ids 1..10; only 7..10 are still buffered

    client = api.connect(f"?last_event_id={last_event_id}")
    snapshot = _snapshot(client)
    live_ids = _publish_readings(api, 1, start=10)

    assert snapshot["resync"] is True
    assert _recv_ids(client, 1) == live_ids  # no backlog before the live event


def test_empty_last_event_id_is_a_fresh_start(api: Api) -> None:
    _publish_readings(api, 2)
    client = api.connect("?last_event_id=")

    snapshot = _snapshot(client)
    live_ids = _publish_readings(api, 1, start=2)

    assert snapshot["resync"] is False
    assert _recv_ids(client, 1) == live_ids


@pytest.mark.parametrize(
    "last_event_id",
    [
        pytest.param("abc", id="word"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="fraction"),
        pytest.param("0x10", id="hex"),
    ],
)
def test_invalid_last_event_id_is_closed_with_1008(api: Api, last_event_id: str) -> None:
    client = api.connect(f"?last_event_id={last_event_id}")

    with pytest.raises(ConnectionClosed) as closed:
        client.recv(timeout=RECV_TIMEOUT_S)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1008
    assert "last_event_id must be a non-negative integer" in closed.value.rcvd.reason
    wait_until(lambda: api.bus.subscriber_count() == 0, "no subscription to be made")


def test_client_leaving_unsubscribes(api: Api) -> None:
    with api.connect() as client:
        _snapshot(client)
        assert api.bus.subscriber_count() == 1
    wait_until(lambda: api.bus.subscriber_count() == 0, "the server to unsubscribe")

    _publish_readings(api, 3)  # nobody listening: must not fail or block


def test_messages_from_clients_are_ignored(api: Api) -> None:
    client = api.connect()
    _snapshot(client)

    client.send("hello")
    client.send(b"\x00\x01")
    ids = _publish_readings(api, 2)

    assert _recv_ids(client, 2) == ids


def test_slow_client_is_closed_with_1013_while_others_keep_receiving(make_api: ApiFactory) -> None:
    api = make_api(limits=StreamLimits(queue_size=4, overflow_check_s=0.05))
    # A client that stops reading: its library stops reading the socket once a message
    # waits, and a small receive buffer makes the server's sends back up soon after.
    # Uncompressed, or the repetitive test readings would shrink to nothing on the wire.
    slow = api.connect(max_queue=1, compression=None, sock=_small_buffer_socket(api))
    _snapshot(slow)
    slow_subscription = api.bus.async_subscriptions[-1]
    normal = api.connect()
    _snapshot(normal)

    published: list[int] = []
    # Paced by the normal client, so only the slow one can fall behind.
    for seq in range(4000):
        reading = stored_reading("gate-b", seq, T0 + seq, peak=0.123456, grid_side=48)
        event = api.bus.publish(MessageType.READING, "gate-b", reading_payload(reading))
        published.append(event.id)
        assert recv_envelope(normal)["id"] == published[-1]
        if slow_subscription.overflowed:
            break
    else:
        pytest.fail("the slow client never fell behind")
    later = _publish_readings(api, 3, start=10_000)  # publishing goes on, never blocked
    assert _recv_ids(normal, 3) == later
    published += later

    envelopes, close = recv_until_closed(slow)

    assert close.code == 1013
    assert close.reason == SLOW_CONSUMER_REASON
    received = [e["id"] for e in envelopes]
    # What it got is gap-free, so resuming from its last id loses nothing.
    assert received == published[: len(received)]
    assert len(received) < len(published)
    resumed = api.connect(f"?last_event_id={received[-1]}")
    assert _snapshot(resumed)["resync"] is False
    assert _recv_ids(resumed, len(published) - len(received)) == published[len(received) :]
    wait_until(lambda: api.bus.subscriber_count() == 2, "the slow client to be unsubscribed")


def _small_buffer_socket(api: Api) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((api.server.host, api.server.port))
    except BaseException:
        sock.close()
        raise
    return sock


def test_server_stops_promptly_with_clients_connected(tmp_path: Path) -> None:
    store = SqlStore(URL.create("sqlite", database=str(tmp_path / "store.db")))
    bus = RecordingBus(replay_size=100)
    services = Services(
        FakeMonitor(bus, store), store, bus, map=MapConfig(), web_dir=None, **security(store)
    )
    try:
        # No grace period: a connection handler that does not end on shutdown hangs the
        # server, and running_server reports it.
        with running_server(create_app(services), timeout_graceful_shutdown=None) as server:
            url = server.ws_url("/ws")
            login = bearer(api_token(services.auth, "li", Role.VIEWER))
            with (
                connect(url, additional_headers=login) as idle,
                connect(url, additional_headers=login) as busy,
            ):
                _snapshot(idle)
                _snapshot(busy)
                bus.publish(
                    MessageType.READING,
                    "gate-a",
                    reading_payload(stored_reading("gate-a", 1, T0, 0.5)),
                )
                server.server.should_exit = True
                for client in (idle, busy):
                    _, close = recv_until_closed(client)
                    assert close.code == 1012  # service restart: clients reconnect
        assert bus.subscriber_count() == 0
    finally:
        store.close()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("", None, id="empty"),
        pytest.param("0", 0, id="zero"),
        pytest.param("1700000000000000", 1_700_000_000_000_000, id="wall-clock-id"),
        pytest.param("9" * 200, int("9" * 200), id="huge"),
    ],
)
def test_parse_event_id(raw: str | None, expected: int | None) -> None:
    assert parse_event_id(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("abc", id="word"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="fraction"),
        pytest.param(" ", id="blank"),
    ],
)
def test_parse_event_id_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match="last_event_id must be a non-negative integer"):
        parse_event_id(raw)
