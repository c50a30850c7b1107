"""Every HTTP answer says the server's time to the millisecond (`X-Server-Time`).

The pages judge every age against the server's clock (web/js/server_clock.js), and a page
that only polls the REST API learns it from its answers. Their Date header has whole
seconds, and uvicorn rewrites it once a second, so it reads up to two seconds behind: a
reading 14 s old shows as 12, and the 15 s "no new picture" rule fires late.
"""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SERVER_TIME_HEADER = "X-Server-Time"


class ServerTimeMiddleware:
    """Pure ASGI: stamps the answer as it starts, so streamed and file answers get it too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(SERVER_TIME_HEADER, f"{time.time():.3f}")
            await send(message)

        await self.app(scope, receive, stamped)
