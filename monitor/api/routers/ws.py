"""The live feed: every event of the bus, as `monitor.bus.messages.Envelope` JSON."""

from __future__ import annotations

import asyncio
import contextlib
from functools import partial
from typing import cast
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from monitor.api.deps import BusDep, MonitorDep, ServicesDep
from monitor.api.routers.faults import latest_fault_acks
from monitor.api.routing import DocRoute
from monitor.api.stream import StreamLimits, serve_events
from monitor.auth.deps import get_auth, presented_credential
from monitor.auth.roles import Role

router = APIRouter(tags=["live"], route_class=DocRoute)


@router.websocket("/ws")
async def live_events(
    websocket: WebSocket,
    monitor: MonitorDep,
    bus: BusDep,
    services: ServicesDep,
    last_event_id: str | None = None,
) -> None:
    """Snapshot, then the events after last_event_id, then events as they are published.

    Needs a login (session cookie or `Authorization: Bearer`); without one the socket is
    closed with code 4401.
    """
    await websocket.accept()  # accepted first: a close before it reaches clients as a bare 403
    refusal = _refusal(websocket)
    if refusal is not None:
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.close(code=refusal[0], reason=refusal[1])
        return
    try:
        after_id = parse_event_id(last_event_id)
    except ValueError as exc:
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=str(exc))
        return
    limits = cast(StreamLimits, websocket.app.state.stream_limits)
    presented = presented_credential(websocket)
    assert presented is not None  # checked by _refusal above
    every_s = float(getattr(websocket.app.state, "session_check_s", SESSION_CHECK_S))
    notifications = services.notifications
    webhooks = notifications.health if notifications is not None else list
    told = notifications.told if notifications is not None else list
    feed = asyncio.ensure_future(
        serve_events(
            websocket,
            monitor,
            bus,
            after_id,
            limits,
            webhooks=webhooks,
            fault_acks=partial(latest_fault_acks, services.fault_acks),
            told=told,
        )
    )
    watch = asyncio.ensure_future(_until_credential_ends(websocket, presented.token, every_s))
    try:
        done, _ = await asyncio.wait({feed, watch}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (feed, watch):
            task.cancel()
        await asyncio.gather(feed, watch, return_exceptions=True)
    if feed in done:
        feed.result()  # its errors are the connection's errors
    elif watch in done and watch.exception() is None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.close(code=WS_LOGIN_REQUIRED, reason="session ended: log in again")


# A logout, an expired session or a disabled user ends the live feed within this time.
SESSION_CHECK_S = 10.0


async def _until_credential_ends(websocket: WebSocket, token: str, every_s: float) -> None:
    auth = get_auth(websocket)
    while True:
        await asyncio.sleep(every_s)
        # A store query: off the event loop.
        if await asyncio.to_thread(auth.authenticate, token) is None:
            return


# Like HTTP 401 / 403, in the application range of close codes.
WS_LOGIN_REQUIRED = 4401
WS_FORBIDDEN = 4403


def _refusal(websocket: WebSocket) -> tuple[int, str] | None:
    """Why this client may not listen, as (close code, reason); None when it may."""
    # Browsers send the session cookie with any site's websocket; a page of another
    # origin must not read the feed with it (SameSite=Strict is the other half).
    origin = websocket.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != websocket.headers.get("host"):
        return WS_FORBIDDEN, "cross-origin websocket refused"
    presented = presented_credential(websocket)
    if presented is None:
        return WS_LOGIN_REQUIRED, "login required: no valid session or API token"
    if not presented.credential.user.role.at_least(Role.VIEWER):
        return WS_FORBIDDEN, "needs the viewer role"
    return None


def parse_event_id(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        # The value is not echoed: a close reason must fit in 123 bytes.
        raise ValueError("last_event_id must be a non-negative integer")
    return value
