"""Acknowledging a camera fault through the real server: stored, audited, on the live feed."""

from __future__ import annotations

import time

import pytest

from monitor.audit.log import AuditQuery
from monitor.auth.roles import Role
from tests.api.conftest import recv_envelope
from tests.support.api_harness import Api
from tests.support.auth import api_token, bearer

DOWN_SINCE = 1_796_000_000.25


@pytest.fixture
def api(api: Api) -> Api:
    """Gate A's camera has been offline since DOWN_SINCE."""
    api.monitor.report_status("gate-a", "offline", DOWN_SINCE, "cannot open rtsp://cam/1")
    return api


def test_an_acknowledgement_is_kept_audited_and_sent_to_every_page(api: Api) -> None:
    operator = bearer(api_token(api.auth, "li.operator", Role.OPERATOR))
    client = api.connect()
    snapshot = recv_envelope(client)
    assert snapshot["payload"]["fault_acks"] == []
    body = {"kind": "offline", "since": DOWN_SINCE, "note": "  ticket 4711  "}
    response = api.http.post("/api/sites/gate-a/fault-ack", json=body, headers=operator)
    assert response.status_code == 200, response.text
    ack = response.json()
    assert (ack["site_id"], ack["kind"], ack["since"], ack["by"], ack["note"]) == (
        "gate-a",
        "offline",
        DOWN_SINCE,
        "li.operator",
        "ticket 4711",
    )
    while (message := recv_envelope(client))["type"] != "fault_ack":
        pass
    assert (message["site_id"], message["payload"]["ack"]) == ("gate-a", ack)
    assert api.http.get("/api/fault-acks").json() == [ack]
    # A page opened now gets it in its snapshot.
    assert recv_envelope(api.connect())["payload"]["fault_acks"] == [ack]
    assert ack["expected_back"] is None  # until the camera recovers
    [entry] = api.audit.entries(AuditQuery(action="camera_fault."))
    assert (entry.actor, entry.target, entry.detail["note"]) == (
        "li.operator",
        "gate-a",
        "ticket 4711",
    )


@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        pytest.param(
            "/api/sites/nowhere/fault-ack",
            {"kind": "offline", "since": 1.0},
            404,
            "no site",
            id="site",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "broken", "since": 1.0},
            422,
            "'offline'",
            id="kind",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack", {"kind": "offline"}, 422, "since", id="no-since"
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "offline", "since": 1.0, "note": "x" * 501},
            422,
            "at most 500 characters",
            id="long-note",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "offline", "since": 1.0, "expected_back": 1_000_000.0},
            422,
            "must be after now",
            id="back-in-the-past",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "offline", "since": 1.0, "expected_back": time.time() + 91 * 86_400},
            422,
            "within 90 days",
            id="back-too-far-out",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "offline", "since": 1.0, "expected_back": "Thursday"},
            422,
            "valid number",
            id="back-not-a-time",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "offline", "since": 1.0, "by": "someone else"},
            422,
            "Extra inputs",
            id="no-impersonation",
        ),
        pytest.param(
            # A page that had not caught up: the camera failed again since.
            "/api/sites/gate-a/fault-ack",
            {"kind": "offline", "since": DOWN_SINCE - 600},
            409,
            "Gate A has no offline fault since 1795999400.250 now: its fault now is offline "
            "since 1796000000.250",
            id="an-earlier-outage",
        ),
        pytest.param(
            "/api/sites/gate-a/fault-ack",
            {"kind": "stalled", "since": DOWN_SINCE},
            409,
            "its fault now is offline since",
            id="another-kind",
        ),
        pytest.param(
            "/api/sites/gate-b/fault-ack",
            {"kind": "offline", "since": DOWN_SINCE},
            409,
            "Gate B has no offline fault since 1796000000.250 now: its camera is fine again",
            id="no-fault-now",
        ),
    ],
)
def test_a_bad_acknowledgement_says_why(
    api: Api, path: str, body: dict[str, object], status: int, detail: str
) -> None:
    response = api.http.post(path, json=body)
    assert response.status_code == status
    assert detail in response.text
    assert api.http.get("/api/fault-acks").json() == []


def test_an_acknowledgement_can_say_when_the_camera_is_expected_back(api: Api) -> None:
    back = round(time.time()) + 4 * 3600.0
    body = {"kind": "offline", "since": DOWN_SINCE, "expected_back": back}
    response = api.http.post("/api/sites/gate-a/fault-ack", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["expected_back"] == back
    [ack] = api.http.get("/api/fault-acks").json()
    assert ack["expected_back"] == back
    [entry] = api.audit.entries(AuditQuery(action="camera_fault."))
    assert entry.detail["expected_back"] == back
