"""In-process publish/subscribe with bounded subscriber queues and a replay buffer.

Publishers are pipeline threads; subscribers are threads (the store writer) or asyncio
tasks (websocket clients). A subscriber that falls behind is marked overflowed and
dropped rather than slowing the publisher: it resumes from its last event id.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from monitor.bus.messages import Envelope, MessageType, Payload


@dataclass(frozen=True, slots=True)
class Published:
    id: int
    type: MessageType
    site_id: str | None
    ts: float
    payload: Payload
    text: str  # the envelope serialised once, shared by every subscriber


class Subscription(Protocol):
    @property
    def overflowed(self) -> bool: ...

    def offer(self, item: Published) -> None: ...


class ThreadSubscription:
    def __init__(self, maxsize: int, types: frozenset[MessageType] | None) -> None:
        self.types = types
        self._items: collections.deque[Published] = collections.deque()
        self._maxsize = maxsize
        self._ready = threading.Condition()
        self.overflowed = False
        self.dropped = 0

    def offer(self, item: Published) -> None:
        with self._ready:
            if len(self._items) >= self._maxsize:
                self.overflowed = True
                self.dropped += 1
                return
            self._items.append(item)
            self._ready.notify()

    def get(self, timeout: float) -> Published | None:
        with self._ready:
            if not self._items:
                self._ready.wait(timeout)
            return self._items.popleft() if self._items else None


class AsyncSubscription:
    def __init__(
        self, loop: asyncio.AbstractEventLoop, maxsize: int, types: frozenset[MessageType] | None
    ) -> None:
        self.types = types
        self._loop = loop
        self._queue: asyncio.Queue[Published] = asyncio.Queue(maxsize)
        self.overflowed = False

    def offer(self, item: Published) -> None:
        try:
            self._loop.call_soon_threadsafe(self._put, item)
        except RuntimeError:  # the loop closed under us: the client is gone anyway
            self.overflowed = True

    def _put(self, item: Published) -> None:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True

    async def get(self) -> Published:
        return await self._queue.get()


class InMemoryBus:
    def __init__(self, replay_size: int = 5000, first_id: int | None = None) -> None:
        # Ids start from the wall clock so they keep increasing across restarts: a client
        # resuming from an id of a previous run is then told to resync.
        start = first_id if first_id is not None else int(time.time() * 1000) * 1000
        self._ids = itertools.count(start)
        self._lock = threading.Lock()
        self._subscribers: list[ThreadSubscription | AsyncSubscription] = []
        self._recent: collections.deque[Published] = collections.deque(maxlen=replay_size)

    def publish(self, type: MessageType, site_id: str | None, payload: Payload) -> Published:
        with self._lock:
            event_id = next(self._ids)
            ts = time.time()
            envelope = Envelope(id=event_id, type=type, ts=ts, site_id=site_id, payload=payload)
            item = Published(event_id, type, site_id, ts, payload, envelope.model_dump_json())
            self._recent.append(item)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            if subscriber.types is None or type in subscriber.types:
                subscriber.offer(item)
        return item

    def subscribe(
        self, maxsize: int = 10_000, types: frozenset[MessageType] | None = None
    ) -> ThreadSubscription:
        subscription = ThreadSubscription(maxsize, types)
        with self._lock:
            self._subscribers.append(subscription)
        return subscription

    def subscribe_async(
        self,
        loop: asyncio.AbstractEventLoop,
        maxsize: int = 1000,
        types: frozenset[MessageType] | None = None,
        after_id: int | None = None,
    ) -> tuple[AsyncSubscription, list[Published] | None]:
        """Subscribes, and returns what was published after `after_id` (None: not buffered).

        Both happen under one lock, so no event falls between the backlog and the feed.
        """
        subscription = AsyncSubscription(loop, maxsize, types)
        with self._lock:
            backlog = self._backlog(after_id) if after_id is not None else []
            self._subscribers.append(subscription)
        return subscription, backlog

    def unsubscribe(self, subscription: ThreadSubscription | AsyncSubscription) -> None:
        with self._lock:
            if subscription in self._subscribers:
                self._subscribers.remove(subscription)

    def _backlog(self, after_id: int) -> list[Published] | None:
        if not self._recent:
            return None if after_id else []
        oldest = self._recent[0].id
        if after_id < oldest - 1 or after_id > self._recent[-1].id:
            return None
        return [item for item in self._recent if item.id > after_id]
