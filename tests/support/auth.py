"""Accounts for tests: a user with a role, and clients that act as them.

token = api_token(auth, "li", Role.OPERATOR)              # bearer, for scripts
httpx.Client(base_url=..., headers=bearer(token))
connect(server.ws_url("/ws"), additional_headers=bearer(token))
session = login(http, "li", PASSWORD)                      # cookie + CSRF, like the page
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from monitor.audit.log import AuditLog
from monitor.auth.accounts import Accounts
from monitor.auth.deps import CSRF_HEADER
from monitor.auth.roles import Role
from monitor.auth.service import AuthService
from monitor.store.sql import SqlStore

PASSWORD = "correct horse battery"


def security(store: SqlStore) -> dict[str, Any]:
    """The auth and audit services on `store`, as keyword arguments of `Services`."""
    return {"auth": AuthService(Accounts(store.engine)), "audit": AuditLog(store.engine)}


def add_user(auth: AuthService, name: str, role: Role, password: str = PASSWORD) -> None:
    auth.add_user(name, role, password)


def api_token(auth: AuthService, name: str, role: Role) -> str:
    """Creates the user (if new) and returns a fresh API token of theirs."""
    if auth.accounts.user(name) is None:
        add_user(auth, name, role)
    return auth.api_token(name).token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class LoggedIn:
    csrf: str
    headers: dict[str, str]  # the CSRF header, for requests that change something


def login(http: httpx.Client, name: str, password: str = PASSWORD) -> LoggedIn:
    """Logs `http` in like the page does: the client keeps the session cookie."""
    response = http.post("/api/auth/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    return LoggedIn(csrf, {CSRF_HEADER: csrf})
