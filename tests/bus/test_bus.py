from __future__ import annotations

import asyncio
import json

import pytest

from monitor.bus.bus import InMemoryBus
from monitor.bus.messages import Envelope, MessageType, SiteStatusPayload


def status(reason: str) -> SiteStatusPayload:
    return SiteStatusPayload(status="offline", reason=reason)


def test_envelope_is_serialised_once_and_parses_back() -> None:
    bus = InMemoryBus(first_id=1)
    published = bus.publish(MessageType.SITE_STATUS, "wuyi", status("camera unplugged"))
    envelope = Envelope.model_validate_json(published.text)
    assert (envelope.id, envelope.type, envelope.site_id) == (1, MessageType.SITE_STATUS, "wuyi")
    assert json.loads(published.text)["payload"]["reason"] == "camera unplugged"


def test_ids_increase() -> None:
    bus = InMemoryBus()
    ids = [bus.publish(MessageType.SITE_STATUS, "a", status(str(n))).id for n in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5


def test_thread_subscriber_gets_its_types_only() -> None:
    bus = InMemoryBus(first_id=1)
    subscription = bus.subscribe(types=frozenset({MessageType.SITE_STATUS}))
    bus.publish(MessageType.READING, "a", status("not a reading, but filtered by type"))
    bus.publish(MessageType.SITE_STATUS, "a", status("x"))
    item = subscription.get(timeout=1.0)
    assert item is not None
    assert item.site_id == "a"
    assert subscription.get(timeout=0.01) is None


def test_full_subscriber_is_marked_and_publisher_never_blocks() -> None:
    bus = InMemoryBus(first_id=1)
    slow = bus.subscribe(maxsize=2)
    fast = bus.subscribe(maxsize=100)
    for n in range(10):
        bus.publish(MessageType.SITE_STATUS, "a", status(str(n)))
    assert slow.overflowed
    assert slow.dropped == 8
    assert not fast.overflowed
    received = [fast.get(0.1) for _ in range(10)]
    assert [m.id for m in received if m is not None] == list(range(1, 11))


def test_unsubscribed_gets_nothing() -> None:
    bus = InMemoryBus(first_id=1)
    subscription = bus.subscribe()
    bus.unsubscribe(subscription)
    bus.publish(MessageType.SITE_STATUS, "a", status("x"))
    assert subscription.get(timeout=0.01) is None


@pytest.mark.parametrize(
    ("after_id", "expected"),
    [
        pytest.param(3, [4, 5, 6], id="resume-mid-buffer"),
        pytest.param(6, [], id="up-to-date"),
        pytest.param(2, [3, 4, 5, 6], id="resume-at-oldest-edge"),
        pytest.param(1, None, id="gap-needs-resync"),
        pytest.param(99, None, id="id-from-the-future-needs-resync"),
    ],
)
def test_backlog_for_resuming_clients(after_id: int, expected: list[int] | None) -> None:
    bus = InMemoryBus(replay_size=4, first_id=1)
    for n in range(6):
        bus.publish(MessageType.SITE_STATUS, "a", status(str(n)))

    async def resume() -> list[int] | None:
        subscription, backlog = bus.subscribe_async(asyncio.get_running_loop(), after_id=after_id)
        bus.unsubscribe(subscription)
        return None if backlog is None else [item.id for item in backlog]

    assert asyncio.run(resume()) == expected


def test_async_subscriber_receives_from_threads_and_overflows() -> None:
    bus = InMemoryBus(first_id=1)

    async def scenario() -> tuple[list[int], bool]:
        loop = asyncio.get_running_loop()
        subscription, _ = bus.subscribe_async(loop, maxsize=3)
        await asyncio.to_thread(
            lambda: [bus.publish(MessageType.SITE_STATUS, "a", status(str(n))) for n in range(5)]
        )
        await asyncio.sleep(0)  # let the loop run the thread-safe callbacks
        for _ in range(10):
            if subscription.overflowed:
                break
            await asyncio.sleep(0.01)
        received = [(await subscription.get()).id for _ in range(3)]
        return received, subscription.overflowed

    received, overflowed = asyncio.run(scenario())
    assert received == [1, 2, 3]
    assert overflowed
