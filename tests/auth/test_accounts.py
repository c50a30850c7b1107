from __future__ import annotations

import io

import pytest

from monitor.auth.accounts import Accounts, InvalidName, TokenKind, UnknownUser, UserExists
from monitor.auth.bootstrap import DEMO_ADMIN, ensure_admin
from monitor.auth.passwords import Passwords, WeakPassword
from monitor.auth.roles import Role
from monitor.auth.service import AuthService, LoginRefused
from monitor.store.sql import SqlStore


@pytest.fixture
def accounts(store: SqlStore) -> Accounts:
    return Accounts(store.engine)


def test_roles_are_ordered() -> None:
    assert [r.value for r in sorted(Role, key=lambda r: r.rank)] == [
        "viewer",
        "operator",
        "supervisor",
        "admin",
    ]
    assert Role.ADMIN.at_least(Role.OPERATOR)
    assert not Role.OPERATOR.at_least(Role.SUPERVISOR)


def test_passwords_are_argon2_hashes_that_verify() -> None:
    passwords = Passwords()
    hashed = passwords.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert passwords.verify(hashed, "correct horse battery")
    assert not passwords.verify(hashed, "wrong")
    assert not passwords.verify(None, "correct horse battery")
    assert not passwords.verify("not a hash", "x")
    with pytest.raises(WeakPassword, match="at least 8"):
        passwords.hash("short")


def test_users_round_trip(accounts: Accounts) -> None:
    added = accounts.add_user("li", Role.OPERATOR, "hash", now=10.0)
    assert accounts.user("li") == added
    assert accounts.password_hash("li") == "hash"
    with pytest.raises(UserExists):
        accounts.add_user("li", Role.VIEWER, "hash", now=11.0)
    with pytest.raises(InvalidName):
        accounts.add_user("li wang", Role.VIEWER, "hash", now=11.0)
    before, after = accounts.update_user("li", role=Role.ADMIN, disabled=True)
    assert (before.role, after.role, after.disabled) == (Role.OPERATOR, Role.ADMIN, True)
    assert accounts.password_hash("li") is None  # disabled
    with pytest.raises(UnknownUser):
        accounts.update_user("ghost", role=Role.ADMIN)
    assert [u.name for u in accounts.users()] == ["li"]


def test_tokens_are_stored_hashed_expire_and_revoke(store: SqlStore, accounts: Accounts) -> None:
    accounts.add_user("li", Role.OPERATOR, "hash", now=0.0)
    session = accounts.issue("li", TokenKind.SESSION, now=100.0, ttl_s=60.0)
    script = accounts.issue("li", TokenKind.API, now=100.0, ttl_s=None)

    with store.engine.connect() as conn:
        dump = "\n".join(str(row) for row in conn.exec_driver_sql("SELECT * FROM auth_tokens"))
    assert session.token not in dump
    assert script.token not in dump
    found = accounts.credential(session.token, now=159.0)
    assert found is not None
    assert (found.user.name, found.kind, found.csrf) == ("li", TokenKind.SESSION, session.csrf)
    assert accounts.credential(session.token, now=160.0) is None  # expired
    assert accounts.credential(script.token, now=1e12) is not None  # until revoked
    replaced = accounts.issue("li", TokenKind.API, now=200.0, ttl_s=None)
    assert accounts.credential(script.token, now=200.0) is None
    accounts.revoke(replaced.token)
    assert accounts.credential(replaced.token, now=200.0) is None


def test_login_and_bootstrap_admin(accounts: Accounts) -> None:
    auth = AuthService(accounts, clock=lambda: 1000.0)
    printed = io.StringIO()
    assert ensure_admin(auth, None, lambda line: print(line, file=printed))
    password = printed.getvalue().split("with password ")[1].split()[0]
    assert len(password) >= 12
    assert auth.login(DEMO_ADMIN, password, "127.0.0.1").user.role is Role.ADMIN
    with pytest.raises(LoginRefused):
        auth.login(DEMO_ADMIN, "admin", "127.0.0.1")
    # Only ever on an empty users table.
    assert not ensure_admin(auth, "another password", lambda line: None)


def test_bootstrap_admin_from_the_environment_prints_no_password(accounts: Accounts) -> None:
    auth = AuthService(accounts)
    lines: list[str] = []
    ensure_admin(auth, "from-the-env-123", lines.append)
    assert "from-the-env-123" not in "".join(lines)
    assert auth.login(DEMO_ADMIN, "from-the-env-123", "x").user.name == DEMO_ADMIN
