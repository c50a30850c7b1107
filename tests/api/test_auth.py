"""Logging in and out: cookies, CSRF, expiry, throttling, the websocket, and no leaks."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from monitor.auth.deps import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from monitor.auth.roles import Role
from tests.api.conftest import recv_envelope, recv_until_closed
from tests.support.api_harness import RECV_TIMEOUT_S, Api
from tests.support.auth import PASSWORD, add_user, api_token, bearer, login


@pytest.fixture
def browser(api: Api) -> httpx.Client:
    """A client with no credentials of its own, like a fresh browser."""
    client = httpx.Client(base_url=api.server.base_url)
    api._stack.callback(client.close)
    add_user(api.auth, "li", Role.OPERATOR)
    return client


def audit_actions(api: Api) -> list[tuple[str, str]]:
    return [(e["action"], e["actor"]) for e in reversed(api.http.get("/api/audit").json())]


def test_login_sets_an_http_only_strict_cookie_and_returns_the_csrf_token(
    api: Api, browser: httpx.Client
) -> None:
    response = browser.post("/api/auth/login", json={"name": "li", "password": PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["user"] == {
        "name": "li",
        "role": "operator",
        "disabled": False,
        "created_at": body["user"]["created_at"],
    }
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    csrf = next(c for c in cookies if c.startswith(f"{CSRF_COOKIE}="))
    assert "HttpOnly" not in csrf  # the page's script reads it
    assert body["csrf_token"] in csrf
    assert response.headers["cache-control"] == "no-store"
    me = browser.get("/api/auth/me").json()
    assert me["user"]["name"] == "li"
    assert me["csrf_token"] == body["csrf_token"]
    assert ("login", "li") in audit_actions(api)


def test_cookie_session_needs_the_csrf_header_to_change_anything(
    api: Api, browser: httpx.Client
) -> None:
    api.monitor.observe("gate-a", seq=1, at=1000.0, peak=3.0)
    alert_id = api.http.get("/api/alerts").json()[0]["id"]
    session = login(browser, "li")

    without = browser.post(f"/api/alerts/{alert_id}/ack", json={})
    wrong = browser.post(f"/api/alerts/{alert_id}/ack", json={}, headers={CSRF_HEADER: "x"})
    right = browser.post(f"/api/alerts/{alert_id}/ack", json={}, headers=session.headers)

    assert (without.status_code, wrong.status_code) == (403, 403)
    assert CSRF_HEADER in without.json()["detail"]
    assert right.status_code == 200
    assert right.json()["alert"]["acknowledged_by"] == "li"


@pytest.mark.parametrize(
    ("name", "password"),
    [
        pytest.param("li", "wrong password", id="wrong-password"),
        pytest.param("nobody", PASSWORD, id="unknown-user"),
    ],
)
def test_failed_login_is_401_without_saying_why(
    api: Api, browser: httpx.Client, name: str, password: str
) -> None:
    response = browser.post("/api/auth/login", json={"name": name, "password": password})

    assert response.status_code == 401
    assert response.json() == {"detail": "wrong user name or password"}
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert browser.get("/api/auth/me").status_code == 401
    assert ("login.failed", name) in audit_actions(api)


def test_disabled_user_cannot_log_in(api: Api, browser: httpx.Client) -> None:
    api.http.patch("/api/users/li", json={"disabled": True}).raise_for_status()
    response = browser.post("/api/auth/login", json={"name": "li", "password": PASSWORD})
    assert response.status_code == 401


def test_logout_ends_the_session_on_the_server(api: Api, browser: httpx.Client) -> None:
    session = login(browser, "li")
    stolen = browser.cookies[SESSION_COOKIE]

    response = browser.post("/api/auth/logout", headers=session.headers)

    assert response.status_code == 204
    assert browser.get("/api/auth/me").status_code == 401
    # A copy of the cookie kept from before is worthless too.
    replay = httpx.get(f"{api.server.base_url}/api/auth/me", cookies={SESSION_COOKIE: stolen})
    assert replay.status_code == 401
    assert ("logout", "li") in audit_actions(api)


def test_session_expires(api: Api, browser: httpx.Client) -> None:
    login(browser, "li")
    assert browser.get("/api/auth/me").status_code == 200
    later = time.time() + api.auth.session_ttl_s + 1
    api.auth.clock = lambda: later

    assert browser.get("/api/auth/me").status_code == 401


def test_new_password_ends_existing_sessions(api: Api, browser: httpx.Client) -> None:
    login(browser, "li")
    changed = api.http.patch("/api/users/li", json={"password": "another long one"})
    assert changed.status_code == 200
    assert browser.get("/api/auth/me").status_code == 401


def test_login_is_throttled_after_repeated_failures(api: Api, browser: httpx.Client) -> None:
    now = [time.time()]
    api.auth.clock = lambda: now[0]
    wrong = {"name": "li", "password": "not it at all"}
    statuses = [browser.post("/api/auth/login", json=wrong).status_code for _ in range(5)]

    # Even the right password is refused while locked.
    locked = browser.post("/api/auth/login", json={"name": "li", "password": PASSWORD})

    assert statuses == [401] * 5
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) >= 1
    assert "too many failed logins" in locked.json()["detail"]
    assert ("login.throttled", "li") in audit_actions(api)
    now[0] += float(locked.headers["retry-after"]) + 1
    assert browser.post("/api/auth/login", json={"name": "li", "password": PASSWORD}).is_success


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        pytest.param({"name": "li"}, "password", id="no-password"),
        pytest.param({"name": "li", "password": "x" * 300}, "password", id="password-too-long"),
        pytest.param({"name": "x" * 65, "password": "p"}, "name", id="name-too-long"),
        pytest.param({"name": "li", "password": "p", "role": "admin"}, "role", id="extra-key"),
    ],
)
def test_bad_login_body_is_422(browser: httpx.Client, body: object, needle: str) -> None:
    response = browser.post("/api/auth/login", json=body)
    assert response.status_code == 422
    assert needle in str(response.json()["detail"])


def test_websocket_is_refused_without_a_login(api: Api) -> None:
    with (
        connect(api.server.ws_url("/ws"), open_timeout=RECV_TIMEOUT_S) as client,
        pytest.raises(ConnectionClosed) as closed,
    ):
        client.recv(timeout=RECV_TIMEOUT_S)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    assert "login required" in closed.value.rcvd.reason


def test_websocket_accepts_the_browser_session_cookie(api: Api, browser: httpx.Client) -> None:
    login(browser, "li")
    cookie = f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"
    origin = api.server.base_url

    client = api.connect(additional_headers={"Cookie": cookie, "Origin": origin})

    assert recv_envelope(client)["type"] == "snapshot"


def test_websocket_from_another_origin_is_refused(api: Api, browser: httpx.Client) -> None:
    login(browser, "li")
    cookie = f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"
    headers = {"Cookie": cookie, "Origin": "https://evil.example"}
    with (
        connect(
            api.server.ws_url("/ws"), additional_headers=headers, open_timeout=RECV_TIMEOUT_S
        ) as client,
        pytest.raises(ConnectionClosed) as closed,
    ):
        client.recv(timeout=RECV_TIMEOUT_S)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


def test_api_token_works_until_replaced(api: Api) -> None:
    first = api_token(api.auth, "script", Role.VIEWER)
    assert api.http.get("/api/sites", headers=bearer(first)).status_code == 200

    issued = api.http.post("/api/users/script/token")

    assert issued.status_code == 200
    second = issued.json()["token"]
    assert api.http.get("/api/sites", headers=bearer(first)).status_code == 401
    assert api.http.get("/api/sites", headers=bearer(second)).status_code == 200


def test_secrets_never_reach_logs_responses_or_the_audit(
    api: Api, browser: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cret-never-shown"
    created = api.http.post(
        "/api/users", json={"name": "wang", "role": "viewer", "password": secret}
    )
    login(browser, "wang", secret)
    browser.post("/api/auth/login", json={"name": "wang", "password": secret + "x"})
    token = api.http.post("/api/users/wang/token").json()["token"]
    session_cookie = browser.cookies[SESSION_COOKIE]
    # The service's own log (uvicorn, monitor.*), not the test's HTTP client debugging.
    service_log = "\n".join(
        f"{r.getMessage()} {r.args}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )

    seen = [
        created.text,
        api.http.get("/api/users").text,
        api.http.get("/api/audit").text,
        api.http.get("/api/audit.csv").text,
        service_log,
    ]
    for text in seen:
        assert secret not in text
        assert session_cookie not in text
    for text in seen[1:]:  # the token is shown once, in the response that issued it
        assert token not in text


def test_logout_elsewhere_ends_the_live_feed(api: Api, browser: httpx.Client) -> None:
    app = api.server.server.config.app
    assert isinstance(app, FastAPI)
    app.state.session_check_s = 0.1  # checked often, for the test
    session = login(browser, "li")
    cookie = f"{SESSION_COOKIE}={browser.cookies[SESSION_COOKIE]}"
    client = api.connect(additional_headers={"Cookie": cookie})
    assert recv_envelope(client)["type"] == "snapshot"

    browser.post("/api/auth/logout", headers=session.headers).raise_for_status()

    _, close = recv_until_closed(client)  # readings may still arrive before the close
    assert (close.code, close.reason) == (
        4401,
        "session ended: log in again",
    )
