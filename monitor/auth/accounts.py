"""Users and their tokens in the store: a small class over the store's engine."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from monitor.auth import tables
from monitor.auth.roles import Role
from monitor.store.schema import metadata

NAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,64}$"
_NAME = re.compile(NAME_PATTERN)


class TokenKind(StrEnum):
    SESSION = "session"
    API = "api"


class UserExists(ValueError):
    """A user of that name already exists."""


class UnknownUser(LookupError):
    """No user of that name."""


class InvalidName(ValueError):
    """A user name outside NAME_PATTERN."""


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    disabled: bool = False
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Credential:
    """Whom a presented token belongs to, and what came with it."""

    user: User
    kind: TokenKind
    csrf: str
    expires_at: float | None


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str  # shown once; only its hash is stored
    csrf: str
    expires_at: float | None


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidName(f"user name {name[:70]!r} must be 1-64 letters, digits or any of . _ @ -")
    return name


def token_hash(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough, no slow hash needed.
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Users and their sessions / API tokens; safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Also here, not only in SqlStore: this module may be imported after the store
        # created its tables.
        metadata.create_all(engine, tables=list(tables.TABLES), checkfirst=True)

    # Users

    def add_user(self, name: str, role: Role, password_hash: str, now: float) -> User:
        check_name(name)
        row = {
            "name": name,
            "role": role.value,
            "password_hash": password_hash,
            "disabled": False,
            "created_at": now,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(tables.users.insert(), row)
        except IntegrityError:
            raise UserExists(f"user '{name}' already exists") from None
        return User(name, role, False, now)

    def user(self, name: str) -> User | None:
        found = self._user_row(name)
        return None if found is None else _user(found)

    def password_hash(self, name: str) -> str | None:
        """The stored hash of an enabled user; None for unknown or disabled users."""
        found = self._user_row(name)
        if found is None or found["disabled"]:
            return None
        return str(found["password_hash"])

    def users(self) -> list[User]:
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(tables.users).order_by(tables.users.c.name))
            return [_user(r) for r in rows.mappings()]

    def count_users(self) -> int:
        with self._engine.connect() as conn:
            query = sa.select(sa.func.count()).select_from(tables.users)
            return int(conn.execute(query).scalar_one())

    def update_user(
        self,
        name: str,
        *,
        role: Role | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> tuple[User, User]:
        """Changes what is given; returns the user before and after."""
        changes: dict[str, object] = {}
        if role is not None:
            changes["role"] = role.value
        if password_hash is not None:
            changes["password_hash"] = password_hash
        if disabled is not None:
            changes["disabled"] = disabled
        t = tables.users
        with self._engine.begin() as conn:
            row = conn.execute(sa.select(t).where(t.c.name == name)).mappings().one_or_none()
            if row is None:
                raise UnknownUser(f"no user '{name}'")
            before = _user(row)
            if changes:
                conn.execute(t.update().where(t.c.name == name).values(**changes))
            if password_hash is not None or disabled:
                # A new password or a disabled account ends every session and token.
                conn.execute(
                    tables.auth_tokens.delete().where(tables.auth_tokens.c.user_name == name)
                )
            after_row = conn.execute(sa.select(t).where(t.c.name == name)).mappings().one()
        return before, _user(after_row)

    def _user_row(self, name: str) -> sa.RowMapping | None:
        t = tables.users
        with self._engine.connect() as conn:
            return conn.execute(sa.select(t).where(t.c.name == name)).mappings().one_or_none()

    # Tokens

    def issue(self, name: str, kind: TokenKind, now: float, ttl_s: float | None) -> IssuedToken:
        """A new token for the user. A new API token replaces the user's previous one."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24) if kind is TokenKind.SESSION else ""
        expires_at = None if ttl_s is None else now + ttl_s
        t = tables.auth_tokens
        with self._engine.begin() as conn:
            if kind is TokenKind.API:
                conn.execute(t.delete().where((t.c.user_name == name) & (t.c.kind == kind.value)))
            # Expired rows would otherwise pile up with every login.
            conn.execute(t.delete().where(t.c.expires_at.is_not(None) & (t.c.expires_at <= now)))
            conn.execute(
                t.insert(),
                {
                    "token_hash": token_hash(token),
                    "user_name": name,
                    "kind": kind.value,
                    "csrf": csrf,
                    "created_at": now,
                    "expires_at": expires_at,
                },
            )
        return IssuedToken(token, csrf, expires_at)

    def credential(self, token: str, now: float) -> Credential | None:
        """Whose token this is, if it is known, unexpired and its user enabled."""
        t, u = tables.auth_tokens, tables.users
        query = (
            sa.select(t, u.c.role, u.c.disabled, u.c.created_at.label("user_created_at"))
            .join(u, u.c.name == t.c.user_name)
            .where(t.c.token_hash == token_hash(token))
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).mappings().one_or_none()
        if row is None or row["disabled"]:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= now:
            return None
        user = User(row["user_name"], Role(row["role"]), False, row["user_created_at"])
        return Credential(user, TokenKind(row["kind"]), row["csrf"], row["expires_at"])

    def revoke(self, token: str) -> None:
        t = tables.auth_tokens
        with self._engine.begin() as conn:
            conn.execute(t.delete().where(t.c.token_hash == token_hash(token)))


def _user(row: sa.RowMapping) -> User:
    return User(row["name"], Role(row["role"]), bool(row["disabled"]), row["created_at"])
