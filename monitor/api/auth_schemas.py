"""Request and response bodies of the accounts, users and audit routes."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from monitor.api.schemas import Body
from monitor.auth.accounts import NAME_PATTERN
from monitor.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from monitor.auth.roles import Role

UserName = Field(pattern=NAME_PATTERN, description="Letters, digits and . _ @ -, 1-64.")


class LoginRequest(Body):
    name: str = Field(min_length=1, max_length=64, description="The user name.")
    # No minimum here: a wrong password must get the same 401 as any other.
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class UserPublic(Body):
    name: str
    role: Role
    disabled: bool
    created_at: float = Field(description="Epoch seconds.")


class SessionPublic(Body):
    user: UserPublic
    csrf_token: str = Field(
        description="Send it as X-CSRF-Token with every request that changes something."
    )
    expires_at: float | None = Field(description="When the session ends, epoch seconds.")


class MePublic(Body):
    user: UserPublic
    csrf_token: str | None = Field(description="The session's CSRF token; null for API tokens.")


class NewUserRequest(Body):
    name: str = UserName
    role: Role
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)


class UserChangeRequest(Body):
    role: Role | None = None
    password: str | None = Field(
        default=None, min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH
    )
    disabled: bool | None = Field(
        default=None, description="A disabled user cannot log in; their sessions end."
    )


class ApiTokenPublic(Body):
    user: str
    token: str = Field(description="Shown only now: send it as 'Authorization: Bearer <token>'.")


class AuditEntryPublic(Body):
    id: int
    at: float = Field(description="Epoch seconds.")
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    ip: str
