from __future__ import annotations

import pytest

from monitor.audit.log import AuditEntry, AuditLog, AuditQuery
from monitor.store.sql import SqlStore


@pytest.fixture
def log(store: SqlStore) -> AuditLog:
    return AuditLog(store.engine)


def test_entries_round_trip_newest_first(log: AuditLog) -> None:
    log.record(AuditEntry(1.0, "li", "login", "li", {}, "10.0.0.1"))
    log.record(AuditEntry(2.0, "li", "alert.acknowledged", "a1", {"note": "ok", "n": [1, 2]}))
    log.record(AuditEntry(2.0, "wang", "user_x.added", "x", {}))

    entries = log.entries(AuditQuery())

    assert [(e.at, e.action) for e in entries] == [
        (2.0, "user_x.added"),
        (2.0, "alert.acknowledged"),
        (1.0, "login"),
    ]
    assert entries[1].detail == {"note": "ok", "n": [1, 2]}
    assert entries[2].ip == "10.0.0.1"
    assert all(e.id is not None for e in entries)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(AuditQuery(actor="li"), ["alert.acknowledged", "login"], id="actor"),
        pytest.param(AuditQuery(action="alert."), ["alert.acknowledged"], id="prefix"),
        pytest.param(AuditQuery(action="user%."), [], id="like-wildcards-are-literal"),
        pytest.param(AuditQuery(action="login"), ["login"], id="exact"),
        pytest.param(AuditQuery(target="x"), ["user_x.added"], id="target"),
        pytest.param(AuditQuery(since=2.0), ["user_x.added", "alert.acknowledged"], id="since"),
        pytest.param(AuditQuery(until=1.0), ["login"], id="until"),
        pytest.param(AuditQuery(limit=1), ["user_x.added"], id="limit"),
    ],
)
def test_filters(log: AuditLog, query: AuditQuery, expected: list[str]) -> None:
    log.record(AuditEntry(1.0, "li", "login", "li"))
    log.record(AuditEntry(2.0, "li", "alert.acknowledged", "a1"))
    log.record(AuditEntry(3.0, "wang", "user_x.added", "x"))
    assert [e.action for e in log.entries(query)] == expected


def test_append_only_api() -> None:
    # Nothing in the class updates or deletes: the log is only ever appended to.
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"record", "entries"}
