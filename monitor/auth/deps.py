"""Who is calling, and may they: the dependencies every route uses.

    @router.put("/x")
    def change(user: SupervisorUser, audit: AuditDep) -> ...:   # 401 / 403 otherwise
        audit.record("x.changed", target="...", detail={"old": ..., "new": ...})

    router = APIRouter(dependencies=[Depends(require_role(Role.OPERATOR))])

A browser holds an HTTP-only session cookie; requests that change something must then
also send the session's CSRF token in `X-CSRF-Token` (the page reads it from the
`cm_csrf` cookie). Scripts send `Authorization: Bearer <token>` and need no CSRF token.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, HTTPException
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from monitor.audit.log import AuditEntry, AuditLog
from monitor.auth.accounts import Credential, User
from monitor.auth.roles import Role
from monitor.auth.service import AuthService

__all__ = [
    "AdminUser",
    "AuditDep",
    "Auditor",
    "CurrentUser",
    "OperatorUser",
    "Role",
    "SupervisorUser",
    "User",
    "ViewerUser",
    "require_role",
]

SESSION_COOKIE = "cm_session"
CSRF_COOKIE = "cm_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An API token (`crowd-monitor user token`).")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The browser session from /api/auth/login."
)


def get_auth(connection: HTTPConnection) -> AuthService:
    return cast(AuthService, connection.app.state.services.auth)


def get_audit_log(connection: HTTPConnection) -> AuditLog:
    return cast(AuditLog, connection.app.state.services.audit)


@dataclass(frozen=True, slots=True)
class Presented:
    """A credential and how it came: cookie-borne ones need CSRF protection."""

    credential: Credential
    token: str
    via_cookie: bool


def presented_credential(connection: HTTPConnection) -> Presented | None:
    """The valid credential of a request or websocket, or None. Bearer wins over cookie."""
    auth = get_auth(connection)
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        found = auth.authenticate(value.strip())
        return None if found is None else Presented(found, value.strip(), via_cookie=False)
    cookie = connection.cookies.get(SESSION_COOKIE)
    if cookie:
        found = auth.authenticate(cookie)
        return None if found is None else Presented(found, cookie, via_cookie=True)
    return None


def current_presented(
    connection: HTTPConnection,
    # Declared for the OpenAPI document (its security schemes); read in presented_credential.
    _bearer_token: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    _session: Annotated[str | None, Depends(_cookie)],
) -> Presented:
    presented = presented_credential(connection)
    if presented is None:
        raise HTTPException(
            401, "login required: no valid session or API token", {"WWW-Authenticate": "Bearer"}
        )
    if presented.via_cookie and connection.scope.get("method", "GET") not in SAFE_METHODS:
        sent = connection.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), presented.credential.csrf.encode()):
            raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header for this session")
    return presented


PresentedDep = Annotated[Presented, Depends(current_presented)]


def current_user(presented: PresentedDep) -> User:
    return presented.credential.user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(role: Role) -> Callable[..., User]:
    """A dependency giving the logged-in user: 401 without login, 403 below `role`."""

    def dependency(user: CurrentUser) -> User:
        if not user.role.at_least(role):
            raise HTTPException(
                403, f"needs the {role.value} role; user '{user.name}' is {user.role.value}"
            )
        return user

    dependency.__name__ = f"require_{role.value}"
    return dependency


ViewerUser = Annotated[User, Depends(require_role(Role.VIEWER))]
OperatorUser = Annotated[User, Depends(require_role(Role.OPERATOR))]
SupervisorUser = Annotated[User, Depends(require_role(Role.SUPERVISOR))]
AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else ""


@dataclass(frozen=True, slots=True)
class Auditor:
    """The audit log, bound to the acting user and their address."""

    log: AuditLog
    actor: str
    ip: str

    def record(self, action: str, target: str = "", detail: dict[str, Any] | None = None) -> None:
        self.log.record(
            AuditEntry(time.time(), self.actor, action, target, dict(detail or {}), self.ip)
        )


def get_auditor(connection: HTTPConnection, user: CurrentUser) -> Auditor:
    return Auditor(get_audit_log(connection), user.name, client_address(connection))


AuditDep = Annotated[Auditor, Depends(get_auditor)]
