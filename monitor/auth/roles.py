"""The roles, ordered: each may do everything the roles below it may."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"  # map, live readings, alerts
    OPERATOR = "operator"  # also acknowledge, dispatch, resolve, replay, export
    SUPERVISOR = "supervisor"  # also thresholds, sites, pins
    ADMIN = "admin"  # also users and the audit log

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_ORDER = (Role.VIEWER, Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN)
