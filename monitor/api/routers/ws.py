"""The live feed: every event of the bus, as `monitor.bus.messages.Envelope` JSON."""

from __future__ import annotations

import contextlib
from typing import cast

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from monitor.api.deps import BusDep, MonitorDep
from monitor.api.routing import DocRoute
from monitor.api.stream import StreamLimits, serve_events

router = APIRouter(tags=["live"], route_class=DocRoute)


@router.websocket("/ws")
async def live_events(
    websocket: WebSocket, monitor: MonitorDep, bus: BusDep, last_event_id: str | None = None
) -> None:
    """Snapshot, then the events after last_event_id, then events as they are published."""
    await websocket.accept()  # accepted first: a close before it reaches clients as a bare 403
    try:
        after_id = parse_event_id(last_event_id)
    except ValueError as exc:
        with contextlib.suppress(WebSocketDisconnect):
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=str(exc))
        return
    limits = cast(StreamLimits, websocket.app.state.stream_limits)
    await serve_events(websocket, monitor, bus, after_id, limits)


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
