"""The first admin: so a fresh install can be logged into, without a default password."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from monitor.auth.roles import Role
from monitor.auth.service import AuthService

DEMO_ADMIN = "admin"


def ensure_admin(auth: AuthService, password: str | None, announce: Callable[[str], None]) -> bool:
    """Creates `admin` when there are no users at all; True when it did.

    The password is `password` (from CROWD_MONITOR_ADMIN_PASSWORD) or a random one, which
    goes to `announce` (stdout) this once and is never logged or shown again.
    """
    if auth.accounts.count_users() > 0:
        return False
    chosen = password or secrets.token_urlsafe(12)
    auth.add_user(DEMO_ADMIN, Role.ADMIN, chosen)
    if password:
        announce(f"crowd-monitor: created user '{DEMO_ADMIN}' with CROWD_MONITOR_ADMIN_PASSWORD")
    else:
        announce(
            f"crowd-monitor: created user '{DEMO_ADMIN}' with password {chosen} "
            "(shown only this once; change it on the Users page)"
        )
    return True
