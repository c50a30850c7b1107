"""A real HTTP endpoint that webhooks are sent to: it keeps every request and answers with
the statuses a test lines up (200 once they run out).

    receiver = Receiver()
    receiver.answer(503, 503)            # the next two requests fail
    with running_server(receiver.app) as server:
        ... deliver to server.url("/hook") ...
        receiver.wait_for(1)
"""

from __future__ import annotations

import collections
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str
    status: int  # what the receiver answered
    url: str  # as requested, query and all

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._answers: collections.deque[tuple[int, dict[str, str], str | None]] = (
            collections.deque()
        )
        self.requests: list[Received] = []
        self.app = Starlette(routes=[Route("/hook", self._hook, methods=["POST"])])

    def answer(
        self, *statuses: int, headers: dict[str, str] | None = None, body: str | None = None
    ) -> None:
        """The next requests' answers, one per status; `body` replaces the plain text."""
        with self._lock:
            self._answers.extend((status, dict(headers or {}), body) for status in statuses)

    async def _hook(self, request: Request) -> PlainTextResponse:
        body = (await request.body()).decode()
        with self._lock:
            status, headers, text = self._answers.popleft() if self._answers else (200, {}, None)
            self.requests.append(Received(dict(request.headers), body, status, str(request.url)))
            self._lock.notify_all()
        if text is None:
            text = "ok" if status < 400 else f"refused with {status}"
        return PlainTextResponse(text, status_code=status, headers=headers)

    def wait_for(self, count: int, timeout: float = 15.0) -> list[Received]:
        """The first `count` requests, once they have come (AssertionError otherwise)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} requests within {timeout:g}s, got "
                        f"{len(self.requests)}: {[r.json.get('type') for r in self.requests]}"
                    )
                self._lock.wait(left)
            return list(self.requests[:count])
