"""Logging in and out, and recognising a presented token: accounts + hashing + throttle."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from monitor.auth.accounts import Accounts, Credential, IssuedToken, TokenKind, User
from monitor.auth.passwords import Passwords
from monitor.auth.roles import Role
from monitor.auth.throttle import LoginThrottle

DEFAULT_SESSION_TTL_S = 12 * 3600.0  # one shift


class LoginRefused(Exception):
    """Wrong name or password; deliberately does not say which."""


class LoginThrottled(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"too many failed logins; try again in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    issued: IssuedToken


class AuthService:
    def __init__(
        self,
        accounts: Accounts,
        *,
        passwords: Passwords | None = None,
        throttle: LoginThrottle | None = None,
        session_ttl_s: float = DEFAULT_SESSION_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = accounts
        self.passwords = passwords or Passwords()
        self.throttle = throttle or LoginThrottle()
        self.session_ttl_s = session_ttl_s
        self.clock = clock

    def login(self, name: str, password: str, client: str) -> Session:
        now = self.clock()
        keys = [f"user:{name.lower()}", f"client:{client}"]
        wait = self.throttle.retry_after(keys, now)
        if wait > 0:
            raise LoginThrottled(wait)
        stored = self.accounts.password_hash(name)
        # Always verifies (against a dummy hash for unknown users): equal timing.
        if not self.passwords.verify(stored, password):
            self.throttle.failed(keys, now)
            raise LoginRefused("wrong user name or password")
        self.throttle.succeeded(keys)
        user = self.accounts.user(name)
        assert user is not None  # it had a password hash a moment ago
        return Session(user, self.accounts.issue(name, TokenKind.SESSION, now, self.session_ttl_s))

    def authenticate(self, token: str) -> Credential | None:
        return self.accounts.credential(token, self.clock())

    def logout(self, token: str) -> None:
        self.accounts.revoke(token)

    def add_user(self, name: str, role: Role, password: str) -> User:
        return self.accounts.add_user(name, role, self.passwords.hash(password), self.clock())

    def api_token(self, name: str) -> IssuedToken:
        """A new script token for the user (the previous one stops working)."""
        return self.accounts.issue(name, TokenKind.API, self.clock(), None)
