"""Users managed by admins, and the audit log read back through the API."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from monitor.audit.log import AuditEntry
from monitor.auth.roles import Role
from tests.support.api_harness import Api
from tests.support.auth import PASSWORD, login


def test_admin_creates_changes_and_disables_a_user(api: Api) -> None:
    created = api.http.post(
        "/api/users", json={"name": "chen.m", "role": "viewer", "password": PASSWORD}
    )
    promoted = api.http.patch("/api/users/chen.m", json={"role": "supervisor"})
    disabled = api.http.patch("/api/users/chen.m", json={"disabled": True})

    assert created.status_code == 201
    assert created.json()["role"] == "viewer"
    assert promoted.json()["role"] == "supervisor"
    assert disabled.json()["disabled"] is True
    listed = {u["name"]: u for u in api.http.get("/api/users").json()}
    assert set(listed) == {"admin", "chen.m"}
    assert "password" not in str(listed).lower()
    entries = api.http.get("/api/audit?target=chen.m").json()
    assert [(e["action"], e["detail"]) for e in reversed(entries)] == [
        ("user.added", {"role": "viewer"}),
        ("user.changed", {"role": {"old": "viewer", "new": "supervisor"}}),
        ("user.changed", {"disabled": {"old": False, "new": True}}),
    ]


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        pytest.param(
            {"name": "admin", "role": "viewer", "password": PASSWORD},
            409,
            "already exists",
            id="duplicate",
        ),
        pytest.param(
            {"name": "li", "role": "chief", "password": PASSWORD}, 422, "role", id="unknown-role"
        ),
        pytest.param(
            {"name": "li", "role": "viewer", "password": "short"},
            422,
            "password",
            id="short-password",
        ),
        pytest.param(
            {"name": "li wang", "role": "viewer", "password": PASSWORD},
            422,
            "pattern",
            id="space-in-name",
        ),
        pytest.param(
            {"name": "", "role": "viewer", "password": PASSWORD}, 422, "name", id="empty-name"
        ),
    ],
)
def test_bad_new_user_is_refused(api: Api, body: object, status: int, needle: str) -> None:
    response = api.http.post("/api/users", json=body)
    assert response.status_code == status
    assert needle in str(response.json()["detail"])
    assert [u["name"] for u in api.http.get("/api/users").json()] == ["admin"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"role": "supervisor"}, id="demote"),
        pytest.param({"disabled": True}, id="disable"),
    ],
)
def test_last_admin_cannot_be_removed(api: Api, change: dict[str, object]) -> None:
    response = api.http.patch("/api/users/admin", json=change)
    assert response.status_code == 409
    assert "last enabled admin" in response.json()["detail"]


def test_unknown_user_is_404(api: Api) -> None:
    assert api.http.patch("/api/users/ghost", json={"role": "viewer"}).status_code == 404
    assert api.http.post("/api/users/ghost/token").status_code == 404


def test_audit_filters_and_csv(api: Api) -> None:
    log = api.audit
    log.record(AuditEntry(100.0, "li", "alert.acknowledged", "a1", {"note": "x"}, "10.0.0.1"))
    log.record(AuditEntry(200.0, "wang", "thresholds.changed", "gate-a", {}, "10.0.0.2"))
    log.record(AuditEntry(300.0, "li", "alert.resolved", "a1", {"outcome": "=cmd()"}, ""))
    log.record(AuditEntry(400.0, "=evil", "login.failed", "=evil", {}, ""))

    def query(q: str) -> list[tuple[float, str]]:
        response = api.http.get(f"/api/audit{q}")
        assert response.status_code == 200, response.text
        return [(e["at"], e["action"]) for e in response.json() if e["at"] < 1000]

    assert query("?actor=li") == [(300.0, "alert.resolved"), (100.0, "alert.acknowledged")]
    assert query("?action=alert.") == [(300.0, "alert.resolved"), (100.0, "alert.acknowledged")]
    assert query("?action=alert") == []  # no prefix without the dot
    assert query("?since=150&until=300") == [
        (300.0, "alert.resolved"),
        (200.0, "thresholds.changed"),
    ]
    assert query("?until=1000&limit=1") == [(400.0, "login.failed")]

    exported = api.http.get("/api/audit.csv?until=1000")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["action"] for r in rows] == [
        "login.failed",
        "alert.resolved",
        "thresholds.changed",
        "alert.acknowledged",
    ]
    assert rows[0]["actor"] == "'=evil"  # a spreadsheet must not run it as a formula
    assert rows[1]["detail"] == '{"outcome":"=cmd()"}'
    assert rows[3]["ip"] == "10.0.0.1"
    assert rows[3]["at_iso"] == "1970-01-01T00:01:40.000+00:00"
    # The export is itself on record.
    assert api.http.get("/api/audit?action=audit.exported").json()[0]["actor"] == "admin"


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        pytest.param("?since=5&until=1", "after until", id="since-after-until"),
        pytest.param("?limit=0", "limit", id="limit-zero"),
        pytest.param("?since=nan", "since", id="nan"),
        pytest.param("?actor=" + "x" * 65, "actor", id="actor-too-long"),
    ],
)
def test_bad_audit_query_is_422(api: Api, query: str, needle: str) -> None:
    response = api.http.get(f"/api/audit{query}")
    assert response.status_code == 422
    assert needle in str(response.json()["detail"])


def test_audit_records_the_client_address(api: Api) -> None:
    browser = httpx.Client(base_url=api.server.base_url)
    api._stack.callback(browser.close)
    api.http.post("/api/users", json={"name": "li", "role": "viewer", "password": PASSWORD})
    login(browser, "li")
    entry = api.http.get("/api/audit?action=login&actor=li").json()[0]
    assert entry["ip"] == "127.0.0.1"
    assert Role(api.http.get("/api/users").json()[1]["role"]) is Role.VIEWER
