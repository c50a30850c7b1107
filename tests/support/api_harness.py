"""A running API server on a real store and bus, with the in-test monitor behind it.

The API tests' fixtures build it; so do browser tests of pages that need readings of a
known history in the store (the in-test monitor and its store stand in for the pipeline).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import URL
from websockets.sync.client import ClientConnection, connect

from monitor.api.app import create_app
from monitor.api.services import Services
from monitor.api.stream import StreamLimits
from monitor.audit.log import AuditLog
from monitor.auth.accounts import Accounts
from monitor.auth.roles import Role
from monitor.auth.service import AuthService
from monitor.bus.bus import AsyncSubscription, InMemoryBus, Published
from monitor.bus.messages import MessageType
from monitor.config.app import AppConfig, MapConfig
from monitor.config.notify import NotifyConfig
from monitor.notify.outbox import Outbox
from monitor.notify.service import NotificationService
from monitor.recording.service import FrameTaps, RecordingService
from monitor.store.count_samples import CountSamples
from monitor.store.count_scales import CountScales
from monitor.store.fault_acks import FaultAcks
from monitor.store.sql import SqlStore
from tests.support.auth import api_token, bearer
from tests.support.fake_monitor import FakeMonitor
from tests.support.server import RunningServer, running_server

# Only a broken server ever waits this long; no test measures time.
RECV_TIMEOUT_S = 30.0


class RecordingBus(InMemoryBus):
    """The real bus, remembering each websocket subscription so tests can look at it."""

    def __init__(self, replay_size: int) -> None:
        super().__init__(replay_size=replay_size, first_id=1)
        self.async_subscriptions: list[AsyncSubscription] = []

    def subscribe_async(
        self,
        loop: asyncio.AbstractEventLoop,
        maxsize: int = 1000,
        types: frozenset[MessageType] | None = None,
        after_id: int | None = None,
    ) -> tuple[AsyncSubscription, list[Published] | None]:
        subscription, backlog = super().subscribe_async(loop, maxsize, types, after_id)
        self.async_subscriptions.append(subscription)
        return subscription, backlog

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._subscribers)


@dataclass
class Api:
    server: RunningServer
    http: httpx.Client
    monitor: FakeMonitor
    bus: RecordingBus
    store: SqlStore
    auth: AuthService
    audit: AuditLog
    token: str  # the admin's API token, which `http` and `connect` send
    _stack: ExitStack = field(repr=False)

    def connect(self, query: str = "", **options: Any) -> ClientConnection:
        """A websocket client on /ws as the admin (unless given headers), closed at the end."""
        url = self.server.ws_url(f"/ws{query}")
        options.setdefault("additional_headers", bearer(self.token))
        client: ClientConnection = connect(url, open_timeout=RECV_TIMEOUT_S, **options)
        self._stack.enter_context(client)
        return client


ApiFactory = Callable[..., Api]


@contextmanager
def api_factory(tmp_path: Path) -> Iterator[ApiFactory]:
    """Builds and starts servers; everything it built is closed on leaving."""
    numbers = itertools.count()
    with ExitStack() as stack:

        def make(
            *,
            limits: StreamLimits | None = None,
            web_dir: Path | None = None,
            replay_size: int = 5000,
            map_config: MapConfig | None = None,
            recording: AppConfig | None = None,
        ) -> Api:
            """`recording`: a config whose sites get a recording service (not started), for
            the routes that read a site's config through it, as the what-if does."""
            store = SqlStore(URL.create("sqlite", database=str(tmp_path / f"{next(numbers)}.db")))
            stack.callback(store.close)
            bus = RecordingBus(replay_size)
            monitor = FakeMonitor(bus, store)
            map_config = map_config or MapConfig()
            auth = AuthService(Accounts(store.engine))
            audit = AuditLog(store.engine)
            recordings = None
            if recording is not None:
                root = tmp_path / f"recordings-{next(numbers)}"
                recordings = RecordingService(recording, root, store.engine, bus, FrameTaps())
            # No webhooks: the routes answer from a real (empty) delivery log.
            notifications = NotificationService(
                NotifyConfig(), Outbox(store.engine), bus, lambda _site: None, environ={}
            )
            services = Services(
                monitor,
                store,
                bus,
                map=map_config,
                web_dir=web_dir,
                auth=auth,
                audit=audit,
                recordings=recordings,
                notifications=notifications,
                fault_acks=FaultAcks(store.engine),
                count_samples=CountSamples(store.engine),
                count_scales=CountScales(store.engine),
            )
            server = stack.enter_context(running_server(create_app(services, stream=limits)))
            token = api_token(auth, "admin", Role.ADMIN)
            http = stack.enter_context(
                httpx.Client(base_url=server.base_url, headers=bearer(token))
            )
            # Registered last, so websocket clients close before the server stops.
            client_stack = stack.enter_context(ExitStack())
            return Api(server, http, monitor, bus, store, auth, audit, token, client_stack)

        yield make
