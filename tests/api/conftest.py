"""The API tests' server (`make_api`, in tests/conftest.py) and websocket helpers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close
from websockets.sync.client import ClientConnection

from tests.support.api_harness import RECV_TIMEOUT_S, Api, ApiFactory


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return make_api()


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Waits for something the server does after the client has seen its effect."""
    deadline = time.monotonic() + RECV_TIMEOUT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def recv_envelope(client: ClientConnection) -> dict[str, Any]:
    message = client.recv(timeout=RECV_TIMEOUT_S)
    assert isinstance(message, str)
    envelope: dict[str, Any] = json.loads(message)
    return envelope


def recv_until_closed(client: ClientConnection) -> tuple[list[dict[str, Any]], Close]:
    """Everything the client still gets, and the close frame the server ended with."""
    envelopes = []
    while True:
        try:
            envelopes.append(recv_envelope(client))
        except ConnectionClosed as closed:
            if closed.rcvd is None:
                pytest.fail(f"the server closed without a close frame: {closed!r}")
            return envelopes, closed.rcvd
