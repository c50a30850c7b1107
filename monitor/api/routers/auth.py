"""Logging in and out: browser sessions (cookie + CSRF token)."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from monitor.api.auth_schemas import LoginRequest, MePublic, SessionPublic, UserPublic
from monitor.api.routing import DocRoute
from monitor.audit.log import AuditEntry, AuditLog
from monitor.auth.accounts import TokenKind, User
from monitor.auth.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    PresentedDep,
    client_address,
    get_audit_log,
    get_auth,
)
from monitor.auth.service import AuthService, LoginRefused, LoginThrottled

router = APIRouter(prefix="/api/auth", tags=["auth"], route_class=DocRoute)

AuthDep = Annotated[AuthService, Depends(get_auth)]
AuditLogDep = Annotated[AuditLog, Depends(get_audit_log)]


def user_public(user: User) -> UserPublic:
    return UserPublic(
        name=user.name, role=user.role, disabled=user.disabled, created_at=user.created_at
    )


@router.post(
    "/login",
    response_model=SessionPublic,
    responses={401: {"description": "Wrong name or password"}, 429: {"description": "Throttled"}},
)
def login(
    body: LoginRequest, request: Request, response: Response, auth: AuthDep, audit: AuditLogDep
) -> SessionPublic:
    """Starts a browser session: sets the session cookie and returns the CSRF token."""
    ip = client_address(request)
    try:
        session = auth.login(body.name, body.password, ip)
    except LoginThrottled as exc:
        audit.record(AuditEntry(time.time(), body.name, "login.throttled", body.name, {}, ip))
        raise HTTPException(
            429, str(exc), {"Retry-After": str(max(1, round(exc.retry_after_s)))}
        ) from None
    except LoginRefused as exc:
        audit.record(AuditEntry(time.time(), body.name, "login.failed", body.name, {}, ip))
        raise HTTPException(401, str(exc)) from None
    audit.record(AuditEntry(time.time(), session.user.name, "login", session.user.name, {}, ip))
    issued = session.issued
    # Secure whenever the request came over TLS (directly or via a proxy uvicorn trusts);
    # a plain-HTTP demo on localhost would otherwise never get its cookie back.
    secure = request.url.scheme == "https"
    max_age = None if issued.expires_at is None else int(auth.session_ttl_s)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    # Readable by the page's script (that is the point), useless to any other site.
    response.set_cookie(
        CSRF_COOKIE, issued.csrf, max_age=max_age, samesite="strict", secure=secure, path="/"
    )
    response.headers["Cache-Control"] = "no-store"
    return SessionPublic(
        user=user_public(session.user), csrf_token=issued.csrf, expires_at=issued.expires_at
    )


@router.post("/logout", status_code=204, response_class=Response)
def logout(
    presented: PresentedDep, request: Request, auth: AuthDep, audit: AuditLogDep
) -> Response:
    """Ends the session that made the request; API tokens stay valid."""
    if presented.credential.kind is TokenKind.SESSION:
        auth.logout(presented.token)
    user = presented.credential.user
    audit.record(
        AuditEntry(time.time(), user.name, "logout", user.name, {}, client_address(request))
    )
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=MePublic)
def me(presented: PresentedDep) -> MePublic:
    """The logged-in user, and the session's CSRF token."""
    credential = presented.credential
    csrf = credential.csrf if credential.kind is TokenKind.SESSION else None
    return MePublic(user=user_public(credential.user), csrf_token=csrf)
