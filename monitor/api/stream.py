"""One websocket client's feed: a snapshot, the backlog it missed, then live events.

Three tasks run per connection, and the first to finish ends it:
- forward: sends the snapshot, the backlog and then each published event;
- watch: notices the bus flagging the subscription overflowed while a send is stuck on
  a client that does not read;
- listen: notices the client leaving (or the server shutting down) while forward waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

from starlette import status
from starlette.websockets import WebSocket, WebSocketDisconnect

from monitor.bus.bus import AsyncSubscription, InMemoryBus, Published
from monitor.bus.messages import (
    AlertToldPublic,
    Envelope,
    FaultAckPublic,
    MessageType,
    SnapshotPayload,
    WebhookHealthPublic,
)
from monitor.pipeline.service import MonitorService

SLOW_CONSUMER_CODE = status.WS_1013_TRY_AGAIN_LATER
SLOW_CONSUMER_REASON = "slow consumer: reconnect with last_event_id"


@dataclass(frozen=True, slots=True)
class StreamLimits:
    queue_size: int = 1000
    """Events buffered per client before it counts as too slow and is disconnected."""
    overflow_check_s: float = 1.0
    """How often a stuck send looks whether the client has already overflowed."""
    close_timeout_s: float = 10.0
    """How long the close frame may wait behind unread data before giving up on it."""


class _End(Enum):
    OVERFLOWED = "overflowed"
    LEFT = "left"


async def serve_events(
    websocket: WebSocket,
    monitor: MonitorService,
    bus: InMemoryBus,
    after_id: int | None,
    limits: StreamLimits,
    *,
    webhooks: Callable[[], list[WebhookHealthPublic]] = list,
    fault_acks: Callable[[], list[FaultAckPublic]] = list,
    told: Callable[[], list[AlertToldPublic]] = list,
) -> None:
    """Feeds an accepted websocket until the client leaves or falls behind."""
    # Subscribe before the snapshot is built: an event published in between then reaches
    # the client twice (in the snapshot and the feed), never zero times; it de-duplicates.
    subscription, backlog = bus.subscribe_async(
        asyncio.get_running_loop(), maxsize=limits.queue_size, after_id=after_id
    )
    try:
        resync = after_id is not None and backlog is None
        snapshot = _snapshot_text(monitor, webhooks(), fault_acks(), told(), resync)
        end = await _race(
            _forward(websocket, subscription, snapshot, backlog or []),
            _watch(subscription, limits.overflow_check_s),
            _listen(websocket),
        )
        if end is _End.OVERFLOWED:
            await _close_slow(websocket, limits.close_timeout_s)
    finally:
        bus.unsubscribe(subscription)


def _snapshot_text(
    monitor: MonitorService,
    webhooks: list[WebhookHealthPublic],
    fault_acks: list[FaultAckPublic],
    told: list[AlertToldPublic],
    resync: bool,
) -> str:
    payload = SnapshotPayload(
        sites=monitor.sites(),
        open_alerts=monitor.open_alerts(),
        webhooks=webhooks,
        fault_acks=fault_acks,
        told=told,
        resync=resync,
    )
    envelope = Envelope(
        id=0, type=MessageType.SNAPSHOT, ts=time.time(), site_id=None, payload=payload
    )
    return envelope.model_dump_json()


async def _forward(
    websocket: WebSocket, subscription: AsyncSubscription, snapshot: str, backlog: list[Published]
) -> _End:
    await websocket.send_text(snapshot)
    for item in backlog:
        await websocket.send_text(item.text)
    while True:
        item = await subscription.get()
        # Checked after each get: once the bus has dropped an event, nothing after it may
        # reach the client, or resuming from its last id would skip the dropped one.
        if subscription.overflowed:
            return _End.OVERFLOWED
        await websocket.send_text(item.text)


async def _watch(subscription: AsyncSubscription, interval_s: float) -> _End:
    # The bus only sets a flag (it must never block on us), so look now and then.
    while not subscription.overflowed:
        await asyncio.sleep(interval_s)
    return _End.OVERFLOWED


async def _listen(websocket: WebSocket) -> _End:
    # The feed is one-way: whatever a client sends is ignored, only its leaving counts.
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
    return _End.LEFT


async def _race(*coroutines: Coroutine[Any, Any, _End]) -> _End:
    """Runs the coroutines until the first ends; the others are cancelled and awaited."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ends: list[_End] = []
    errors: list[BaseException] = []
    for task in done:
        error = task.exception()
        if error is None:
            ends.append(task.result())
        elif isinstance(error, WebSocketDisconnect):
            ends.append(_End.LEFT)
        else:
            errors.append(error)
    # A client that left explains whatever else failed at the same moment.
    if _End.LEFT in ends:
        return _End.LEFT
    if errors:
        raise errors[0]
    return _End.OVERFLOWED


async def _close_slow(websocket: WebSocket, timeout_s: float) -> None:
    # The close frame queues behind unread data; a client that never reads again never
    # gets it, and the server's keepalive ends that connection instead.
    with contextlib.suppress(WebSocketDisconnect, TimeoutError):
        async with asyncio.timeout(timeout_s):
            await websocket.close(code=SLOW_CONSUMER_CODE, reason=SLOW_CONSUMER_REASON)
