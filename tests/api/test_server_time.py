"""Every answer says when the server sent it, to the millisecond, for the pages' clock."""

from __future__ import annotations

import time

import pytest

from monitor.api.server_time import SERVER_TIME_HEADER
from tests.support.api_harness import Api


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/healthz", 200, id="an-api-answer"),
        pytest.param("/api/sites/nowhere", 404, id="a-refusal"),
        pytest.param("/openapi.json", 200, id="a-document"),
    ],
)
def test_every_answer_carries_the_servers_time(api: Api, path: str, status: int) -> None:
    before = time.time()
    response = api.http.get(path)
    after = time.time()
    assert response.status_code == status
    stamped = response.headers[SERVER_TIME_HEADER]
    assert len(stamped.split(".")[1]) == 3  # milliseconds, not the Date header's seconds
    assert before - 0.001 <= float(stamped) <= after + 0.001
