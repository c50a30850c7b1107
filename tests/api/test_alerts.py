from __future__ import annotations

import pytest

from monitor.auth.roles import Role
from tests.api.conftest import recv_envelope
from tests.support.api_harness import Api
from tests.support.auth import api_token, bearer

T0 = 1_700_000_000.0


@pytest.fixture
def alerts_api(api: Api) -> Api:
    """gate-a: an alert raised, cleared and resolved, then one open; gate-b: one acknowledged."""
    monitor = api.monitor
    monitor.observe("gate-a", seq=1, at=T0, peak=2.5)  # raised
    monitor.observe("gate-a", seq=2, at=T0 + 1, peak=0.5)  # cleared
    done = _alert_ids(api, "gate-a")[0]
    assert api.http.post(f"/api/alerts/{done}/ack", json={}).status_code == 200
    resolved = api.http.post(f"/api/alerts/{done}/resolve", json={"outcome": "false alarm"})
    assert resolved.status_code == 200, resolved.text
    monitor.observe("gate-b", seq=1, at=T0 + 2, peak=4.5)  # raised at critical
    monitor.observe("gate-a", seq=3, at=T0 + 3, peak=2.5)  # raised again, stays open
    acked = _alert_ids(api, "gate-b")[0]
    response = api.http.post(f"/api/alerts/{acked}/ack", json={"note": "stewards sent"})
    assert response.status_code == 200
    return api


def _alert_ids(api: Api, site_id: str) -> list[str]:
    return [a["id"] for a in api.http.get(f"/api/alerts?site_id={site_id}").json()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "",
            [("gate-a", "open"), ("gate-b", "acknowledged"), ("gate-a", "resolved")],
            id="all-newest-first",
        ),
        pytest.param("?state=open", [("gate-a", "open")], id="open"),
        pytest.param("?state=acknowledged", [("gate-b", "acknowledged")], id="acknowledged"),
        pytest.param("?state=resolved", [("gate-a", "resolved")], id="resolved"),
        pytest.param(
            "?state=active", [("gate-a", "open"), ("gate-b", "acknowledged")], id="active"
        ),
        pytest.param("?state=active&limit=1", [("gate-a", "open")], id="active-limit"),
        pytest.param("?site_id=gate-a", [("gate-a", "open"), ("gate-a", "resolved")], id="site"),
        pytest.param("?site_id=gate-a&state=resolved", [("gate-a", "resolved")], id="site-state"),
        pytest.param("?site_id=retired", [], id="unknown-site-filters-to-nothing"),
        pytest.param("?limit=2", [("gate-a", "open"), ("gate-b", "acknowledged")], id="limit"),
    ],
)
def test_list_alerts(alerts_api: Api, query: str, expected: list[tuple[str, str]]) -> None:
    response = alerts_api.http.get(f"/api/alerts{query}")

    assert response.status_code == 200
    assert [(a["site_id"], a["state"]) for a in response.json()] == expected


@pytest.mark.parametrize(
    ("query", "needles"),
    [
        pytest.param(
            "?state=closed",
            ("open", "acknowledged", "resolved", "active"),
            id="invalid-state-lists-valid-ones",
        ),
        pytest.param("?limit=0", ("limit",), id="limit-zero"),
        pytest.param("?limit=1001", ("limit",), id="limit-too-big"),
    ],
)
def test_list_alerts_bad_query_is_422(api: Api, query: str, needles: tuple[str, ...]) -> None:
    response = api.http.get(f"/api/alerts{query}")

    assert response.status_code == 422
    detail = str(response.json()["detail"])
    for needle in needles:
        assert needle in detail


def test_get_alert_with_events(alerts_api: Api) -> None:
    alert_id = _alert_ids(alerts_api, "gate-b")[0]

    response = alerts_api.http.get(f"/api/alerts/{alert_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["alert"]["id"] == alert_id
    assert body["alert"]["acknowledged_by"] == "admin"
    assert body["alert"]["acknowledge_note"] == "stewards sent"
    assert [(e["kind"], e["by"]) for e in body["events"]] == [
        ("raised", "system"),
        ("acknowledged", "admin"),
    ]


def test_get_unknown_alert_is_404(api: Api) -> None:
    response = api.http.get("/api/alerts/nope")

    assert response.status_code == 404
    assert response.json() == {"detail": "no alert 'nope'"}


def test_acknowledge(alerts_api: Api) -> None:
    alert_id = _alert_ids(alerts_api, "gate-a")[0]
    with alerts_api.connect() as client:
        assert recv_envelope(client)["type"] == "snapshot"

        token = api_token(alerts_api.auth, "chen.m", Role.OPERATOR)
        response = alerts_api.http.post(
            f"/api/alerts/{alert_id}/ack", json={"note": "camera checked"}, headers=bearer(token)
        )

        assert response.status_code == 200
        payload = response.json()
        # The same payload reaches websocket clients.
        published = recv_envelope(client)
    assert payload["alert"]["state"] == "acknowledged"
    assert payload["alert"]["acknowledged_by"] == "chen.m"
    assert payload["event"]["kind"] == "acknowledged"
    assert payload["event"]["note"] == "camera checked"
    assert published["type"] == "alert"
    assert published["payload"] == payload
    stored = alerts_api.http.get(f"/api/alerts/{alert_id}").json()
    assert stored["alert"]["state"] == "acknowledged"


def test_acknowledge_without_note(alerts_api: Api) -> None:
    alert_id = _alert_ids(alerts_api, "gate-a")[0]

    response = alerts_api.http.post(f"/api/alerts/{alert_id}/ack", json={})

    assert response.status_code == 200
    assert response.json()["alert"]["acknowledge_note"] == ""


def test_acknowledge_twice_is_409(alerts_api: Api) -> None:
    alert_id = _alert_ids(alerts_api, "gate-b")[0]

    response = alerts_api.http.post(f"/api/alerts/{alert_id}/ack", json={"note": "again"})

    assert response.status_code == 409
    assert response.json() == {"detail": f"alert {alert_id} is already acknowledged by admin"}


def test_acknowledge_unknown_is_404(alerts_api: Api) -> None:
    response = alerts_api.http.post("/api/alerts/nope/ack", json={"note": ""})

    assert response.status_code == 404
    assert response.json() == {"detail": "no alert 'nope'"}


def test_acknowledge_resolved_is_409(alerts_api: Api) -> None:
    alert_id = alerts_api.http.get("/api/alerts?state=resolved").json()[0]["id"]

    response = alerts_api.http.post(f"/api/alerts/{alert_id}/ack", json={"note": ""})

    assert response.status_code == 409
    assert response.json() == {"detail": f"alert {alert_id} is already resolved"}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        pytest.param({"note": "x" * 501}, "500", id="note-too-long"),
        pytest.param({"note": 5}, "string", id="note-not-string"),
        pytest.param({"note": "", "by": "someone"}, "by", id="extra-key"),
        pytest.param([], "object", id="not-an-object"),
    ],
)
def test_acknowledge_bad_body_is_422(alerts_api: Api, body: object, needle: str) -> None:
    alert_id = _alert_ids(alerts_api, "gate-a")[0]

    response = alerts_api.http.post(f"/api/alerts/{alert_id}/ack", json=body)

    assert response.status_code == 422
    assert needle in str(response.json()["detail"])
    assert alerts_api.http.get(f"/api/alerts/{alert_id}").json()["alert"]["state"] == "open"


def test_acknowledge_malformed_json_is_422(alerts_api: Api) -> None:
    alert_id = _alert_ids(alerts_api, "gate-a")[0]

    response = alerts_api.http.post(
        f"/api/alerts/{alert_id}/ack",
        content=b"{note",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert "JSON" in str(response.json()["detail"])
