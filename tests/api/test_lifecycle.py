"""The response to an alert through the API: every step stored, published and audited."""

from __future__ import annotations

import time
from typing import Any

import pytest

from monitor.auth.roles import Role
from tests.api.conftest import recv_envelope
from tests.support.api_harness import Api
from tests.support.auth import api_token, bearer

T0 = 1_700_000_000.0


@pytest.fixture
def raised(api: Api) -> str:
    api.monitor.observe("gate-a", seq=1, at=T0, peak=3.0)
    alert_id: str = api.http.get("/api/alerts?state=open").json()[0]["id"]
    return alert_id


def post(api: Api, alert_id: str, step: str, body: dict[str, Any], token: str) -> Any:
    response = api.http.post(f"/api/alerts/{alert_id}/{step}", json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


def test_full_lifecycle_to_arrival_and_resolution(api: Api, raised: str) -> None:
    li = api_token(api.auth, "li", Role.OPERATOR)
    zhao = api_token(api.auth, "zhao", Role.OPERATOR)
    client = api.connect()
    assert recv_envelope(client)["type"] == "snapshot"

    acked = post(api, raised, "ack", {"note": "seen on camera"}, li)
    sent = post(api, raised, "dispatch", {"platform_id": "gate-1min", "note": "go"}, li)
    arrived = post(api, raised, "arrive", {"note": "on site"}, zhao)
    # Still crowded: the situation is not over, so it cannot be resolved yet.
    early = api.http.post(
        f"/api/alerts/{raised}/resolve", json={"outcome": "done"}, headers=bearer(zhao)
    )
    cleared_at = time.time()  # readings carry capture times; operators act in real time
    api.monitor.observe("gate-a", seq=2, at=cleared_at, peak=0.5)  # the crowd clears
    resolved = post(api, raised, "resolve", {"outcome": "crowd dispersed"}, zhao)

    assert early.status_code == 409
    assert "once the crowd has cleared" in early.json()["detail"]
    assert [p["alert"]["state"] for p in (acked, sent, arrived, resolved)] == [
        "acknowledged",
        "dispatched",
        "arrived",
        "resolved",
    ]
    alert = resolved["alert"]
    assert (alert["platform_id"], alert["platform_name"], alert["tier_minutes"]) == (
        "gate-1min",
        "Gate platform",
        1,
    )
    assert alert["acknowledged_by"] == "li"
    assert (alert["dispatched_by"], alert["arrived_by"], alert["resolved_by"]) == (
        "li",
        "zhao",
        "zhao",
    )
    assert alert["acknowledged_at"] <= alert["dispatched_at"] <= alert["arrived_at"]
    assert alert["cleared_at"] == cleared_at
    assert alert["outcome"] == "crowd dispersed"

    detail = api.http.get(f"/api/alerts/{raised}").json()
    assert [(e["kind"], e["by"]) for e in detail["events"]] == [
        ("raised", "system"),
        ("acknowledged", "li"),
        ("dispatched", "li"),
        ("arrived", "zhao"),
        ("cleared", "system"),
        ("resolved", "zhao"),
    ]
    # Five steps and the clearing reading, in order, to every page.
    published = [recv_envelope(client) for _ in range(6)]
    kinds = [m["payload"]["event"]["kind"] for m in published if m["type"] == "alert"]
    assert kinds == ["acknowledged", "dispatched", "arrived", "cleared", "resolved"]
    assert published[-1]["payload"]["alert"] == alert

    audit = api.http.get("/api/audit?action=alert.").json()
    assert [(e["action"], e["actor"], e["target"]) for e in reversed(audit)] == [
        ("alert.acknowledged", "li", raised),
        ("alert.dispatched", "li", raised),
        ("alert.arrived", "zhao", raised),
        ("alert.resolved", "zhao", raised),
    ]
    assert audit[0]["detail"] == {"site_id": "gate-a", "outcome": "crowd dispersed"}
    assert api.http.get("/api/alerts?state=active").json() == []


def test_cleared_alert_stays_open_until_resolved_and_a_new_rise_is_a_new_alert(
    api: Api, raised: str
) -> None:
    api.monitor.observe("gate-a", seq=2, at=T0 + 10, peak=0.5)
    api.monitor.observe("gate-a", seq=3, at=T0 + 20, peak=3.0)

    active = api.http.get("/api/alerts?state=active&site_id=gate-a").json()
    snapshot = recv_envelope(api.connect())

    assert [a["id"] == raised for a in active] == [False, True]
    assert active[1]["cleared_at"] == T0 + 10
    assert active[0]["cleared_at"] is None
    assert {a["id"] for a in snapshot["payload"]["open_alerts"]} == {a["id"] for a in active}


def test_redispatch_changes_the_platform(api: Api, raised: str) -> None:
    api.http.post(f"/api/alerts/{raised}/ack", json={}).raise_for_status()
    api.http.post(f"/api/alerts/{raised}/dispatch", json={"platform_id": "gate-1min"})

    again = api.http.post(f"/api/alerts/{raised}/dispatch", json={"platform_id": "station-5min"})

    assert again.status_code == 200
    assert again.json()["alert"]["tier_minutes"] == 5


@pytest.mark.parametrize(
    ("prepare", "step", "body", "status", "needle"),
    [
        pytest.param(
            [],
            "dispatch",
            {"platform_id": "gate-1min"},
            409,
            "acknowledged before",
            id="dispatch-before-ack",
        ),
        pytest.param(
            ["ack"],
            "dispatch",
            {"platform_id": "mars"},
            404,
            "no response platform",
            id="unknown-platform",
        ),
        pytest.param(
            ["ack"], "arrive", {}, 409, "only a dispatch can arrive", id="arrive-before-dispatch"
        ),
        pytest.param(
            [], "resolve", {"outcome": "x"}, 409, "acknowledged before", id="resolve-before-ack"
        ),
        pytest.param(["ack"], "resolve", {"outcome": ""}, 422, "outcome", id="empty-outcome"),
        pytest.param(["ack"], "resolve", {}, 422, "outcome", id="no-outcome"),
        pytest.param(
            ["ack"],
            "dispatch",
            {"platform_id": "gate-1min", "tier": 1},
            422,
            "tier",
            id="extra-key",
        ),
        pytest.param(["ack"], "arrive", {"note": "x" * 501}, 422, "500", id="note-too-long"),
    ],
)
def test_bad_steps_are_refused_and_change_nothing(
    api: Api, raised: str, prepare: list[str], step: str, body: object, status: int, needle: str
) -> None:
    for earlier in prepare:
        api.http.post(f"/api/alerts/{raised}/{earlier}", json={}).raise_for_status()
    before = api.http.get(f"/api/alerts/{raised}").json()

    response = api.http.post(f"/api/alerts/{raised}/{step}", json=body)

    assert response.status_code == status
    assert needle in str(response.json()["detail"])
    assert api.http.get(f"/api/alerts/{raised}").json() == before


def test_unknown_alert_steps_are_404(api: Api) -> None:
    for step, body in (("arrive", {}), ("resolve", {"outcome": "x"})):
        response = api.http.post(f"/api/alerts/nope/{step}", json=body)
        assert (response.status_code, response.json()) == (404, {"detail": "no alert 'nope'"})


def test_platforms_are_listed(api: Api) -> None:
    platforms = api.http.get("/api/platforms").json()
    assert [(p["id"], p["tier_minutes"]) for p in platforms] == [
        ("gate-1min", 1),
        ("station-5min", 5),
    ]
