"""The notifications API on the real application, with a real receiver behind the webhook."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from monitor.audit.log import AuditQuery
from monitor.auth.roles import Role
from monitor.bus.messages import MessageType
from tests.notify.builders import alert_payload
from tests.support.notify_app import NotifyApp, notify_app


@pytest.fixture
def api(tmp_path: Path) -> Iterator[NotifyApp]:
    with notify_app(tmp_path) as harness:
        yield harness


def audit_actions(api: NotifyApp) -> list[str]:
    assert api.application.audit is not None
    return [e.action for e in api.application.audit.entries(AuditQuery(action="notification."))]


def test_the_webhooks_are_listed_without_their_keys(api: NotifyApp) -> None:
    [hook] = api.http.get("/api/notifications/webhooks").json()
    assert hook["name"] == "desk"
    assert hook["url"].endswith("/hook")  # the query's key=abc is not shown
    assert "abc" not in hook["url"]
    assert hook["signed"] is True
    assert hook["events"][0] == "raised"
    assert (hook["pending"], hook["failed"], hook["failures_in_row"]) == (0, 0, 0)


def test_a_test_message_is_sent_logged_and_audited(api: NotifyApp) -> None:
    response = api.http.post("/api/notifications/webhooks/desk/test")
    assert response.status_code == 200, response.text
    sent = response.json()
    assert (sent["state"], sent["status_code"], sent["kind"]) == ("delivered", 200, "test")
    assert (
        sent["body"]["summary"] == "crowd-monitor test message to 'desk', sent by supervisor-user"
    )
    [received] = api.receiver.wait_for(1)
    assert received.json["id"] == sent["event_id"]
    assert api.http.get(f"/api/notifications/deliveries/{sent['id']}").json() == sent
    assert audit_actions(api) == ["notification.tested"]
    missing = api.http.post("/api/notifications/webhooks/nobody/test")
    assert (missing.status_code, missing.json()["detail"]) == (404, "no webhook 'nobody'")


def test_a_refused_event_is_retried_on_request(api: NotifyApp) -> None:
    api.receiver.answer(422)
    api.application.bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
    api.receiver.wait_for(1)
    failed = wait_for_state(api, "failed")
    assert (failed["status_code"], failed["error"]) == (422, "HTTP 422: refused with 422")
    [hook] = api.http.get("/api/notifications/webhooks").json()
    assert (hook["failed"], hook["last_error"]) == (1, "HTTP 422: refused with 422")

    retried = api.http.post(f"/api/notifications/deliveries/{failed['id']}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["state"] == "pending"
    assert api.receiver.wait_for(2)[1].json["id"] == failed["event_id"]
    delivered = wait_for_state(api, "delivered")
    assert delivered["attempts"] == 2
    again = api.http.post(f"/api/notifications/deliveries/{failed['id']}/retry")
    assert again.status_code == 409
    assert again.json()["detail"] == f"delivery {failed['id']} is delivered, not failed"
    assert audit_actions(api) == ["notification.retried"]


def wait_for_state(api: NotifyApp, state: str) -> dict[str, object]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = api.http.get("/api/notifications/deliveries", params={"state": state}).json()
        if found:
            first: dict[str, object] = found[0]
            return first
        time.sleep(0.05)
    raise AssertionError(f"no {state} delivery")


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        pytest.param("/api/notifications/deliveries/999", 404, "no delivery 999", id="unknown"),
        pytest.param(
            "/api/notifications/deliveries/0", 422, "greater than or equal to 1", id="zero"
        ),
        pytest.param("/api/notifications/deliveries?state=lost", 422, "'pending'", id="bad-state"),
        pytest.param(
            "/api/notifications/deliveries?limit=5000", 422, "less than or equal", id="limit"
        ),
    ],
)
def test_bad_requests_say_what_is_wrong(
    api: NotifyApp, path: str, status: int, detail: str
) -> None:
    response = api.http.get(path)
    assert response.status_code == status
    assert detail in response.text


def test_the_live_feed_carries_each_webhooks_health(api: NotifyApp) -> None:
    url = api.server.ws_url("/ws")
    with connect(url, additional_headers=api.as_role(Role.VIEWER), open_timeout=15) as client:
        snapshot = json.loads(client.recv(timeout=15))
        assert snapshot["type"] == "snapshot"
        assert snapshot["payload"]["webhooks"] == [
            {
                "name": "desk",
                "problem": "",
                "since": None,
                "failures_in_row": 0,
                "next_try_at": None,
            }
        ]
        api.receiver.answer(*[503] * 50)
        api.application.bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
        while True:
            message = json.loads(client.recv(timeout=15))
            if message["type"] == "webhook_status":
                break
        health = message["payload"]["webhook"]
        assert (health["name"], health["problem"], health["failures_in_row"]) == (
            "desk",
            "not_answering",
            1,
        )
        assert message["site_id"] is None
