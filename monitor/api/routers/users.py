"""User accounts, managed by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from monitor.api.auth_schemas import (
    ApiTokenPublic,
    NewUserRequest,
    UserChangeRequest,
    UserPublic,
)
from monitor.api.routers.auth import AuthDep, user_public
from monitor.api.routing import DocRoute
from monitor.auth.accounts import NAME_PATTERN, User, UserExists
from monitor.auth.deps import AdminUser, AuditDep, require_role
from monitor.auth.roles import Role
from monitor.auth.service import AuthService

router = APIRouter(
    prefix="/api/users",
    tags=["users"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.ADMIN))],
)

UserNamePath = Annotated[str, Path(max_length=64, pattern=NAME_PATTERN)]


@router.get("", response_model=list[UserPublic])
def list_users(auth: AuthDep, _admin: AdminUser) -> list[UserPublic]:
    """Every user, by name."""
    return [user_public(u) for u in auth.accounts.users()]


@router.post("", response_model=UserPublic, status_code=201, responses={409: {}})
def add_user(body: NewUserRequest, auth: AuthDep, audit: AuditDep) -> UserPublic:
    """Creates a user with a role and an initial password."""
    try:
        user = auth.add_user(body.name, body.role, body.password)
    except UserExists as exc:
        raise HTTPException(409, str(exc)) from None
    audit.record("user.added", user.name, {"role": user.role.value})
    return user_public(user)


@router.patch("/{name}", response_model=UserPublic, responses={404: {}, 409: {}})
def change_user(
    name: UserNamePath, body: UserChangeRequest, auth: AuthDep, audit: AuditDep
) -> UserPublic:
    """Changes a user's role, password or disabled flag; a new password ends their sessions."""
    current = auth.accounts.user(name)
    if current is None:
        raise HTTPException(404, f"no user '{name}'")
    demoted = body.role is not None and body.role is not Role.ADMIN
    if current.role is Role.ADMIN and (demoted or body.disabled) and _last_admin(auth, name):
        raise HTTPException(409, f"'{name}' is the last enabled admin")
    password_hash = None if body.password is None else auth.passwords.hash(body.password)
    before, after = auth.accounts.update_user(
        name, role=body.role, password_hash=password_hash, disabled=body.disabled
    )
    detail: dict[str, object] = {}
    if before.role is not after.role:
        detail["role"] = {"old": before.role.value, "new": after.role.value}
    if before.disabled != after.disabled:
        detail["disabled"] = {"old": before.disabled, "new": after.disabled}
    if body.password is not None:
        detail["password"] = "changed"  # never the password itself
    audit.record("user.changed", name, detail)
    return user_public(after)


@router.post("/{name}/token", response_model=ApiTokenPublic, responses={404: {}, 409: {}})
def new_api_token(name: UserNamePath, auth: AuthDep, audit: AuditDep) -> ApiTokenPublic:
    """A new API token for the user's scripts; their previous token stops working."""
    user = auth.accounts.user(name)
    if user is None:
        raise HTTPException(404, f"no user '{name}'")
    if user.disabled:
        raise HTTPException(409, f"user '{name}' is disabled")
    issued = auth.api_token(name)
    audit.record("user.token_issued", name)
    return ApiTokenPublic(user=name, token=issued.token)


def _last_admin(auth: AuthService, name: str) -> bool:
    others: list[User] = [
        u
        for u in auth.accounts.users()
        if u.role is Role.ADMIN and not u.disabled and u.name != name
    ]
    return not others
