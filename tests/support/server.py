"""A real uvicorn server on a free port, in a background thread, for integration tests.

Usage:

    with running_server(create_app(services)) as server:
        httpx.get(server.url("/healthz"))
        websockets.sync.client.connect(server.ws_url("/ws"))
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

STARTUP_TIMEOUT_S = 30.0
# Generous: only a server that hangs on shutdown should ever reach them.
GRACEFUL_SHUTDOWN_S = 10
STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class RunningServer:
    host: str
    port: int
    server: uvicorn.Server

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def ws_url(self, path: str) -> str:
        return f"ws://{self.host}:{self.port}{path}"


class ServerError(RuntimeError):
    """The test server did not start or did not stop."""


@contextmanager
def running_server(app: Any, **config: Any) -> Iterator[RunningServer]:
    """Serves `app` (any ASGI app) on 127.0.0.1 and an OS-chosen port until the block ends.

    Keyword arguments go to `uvicorn.Config`. Leaving the block stops the server the way
    a signal would (`should_exit`), so shutdown with open connections is exercised too;
    it raises ServerError if the server does not stop.
    """
    options: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,  # the OS picks a free port: no race with other test processes
        "log_level": "warning",
        "lifespan": "auto",
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
    }
    options.update(config)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    try:
        port = _wait_started(server, thread)
        yield RunningServer(options["host"], port, server)
    finally:
        _stop(server, thread)


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> int:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive():
            raise ServerError("the test server exited during startup (see its log)")
        if time.monotonic() > deadline:
            raise ServerError(f"the test server did not start within {STARTUP_TIMEOUT_S:g}s")
        time.sleep(0.005)
    sockets = server.servers[0].sockets
    port: int = sockets[0].getsockname()[1]
    return port


def _stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(STOP_TIMEOUT_S)
    if thread.is_alive():
        server.force_exit = True
        thread.join(STOP_TIMEOUT_S)
        raise ServerError(f"the test server did not stop within {STOP_TIMEOUT_S:g}s")
