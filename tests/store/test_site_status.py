"""The site status log in the store: every change of every site, on both backends."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.quality.outages import StatusChange
from monitor.store import schema
from monitor.store.sql import SqlStore
from tests.store.builders import T0


@pytest.fixture
def logged(store: SqlStore) -> SqlStore:
    """gate-a: starting at T0, online at +1, offline at +10 (then again, new reason, at +20),
    stopped at +30; gate-b only starting and stopped."""
    store.record_status(["gate-a", "gate-b"], T0, "starting", "")
    store.record_status(["gate-a"], T0 + 1, "online", "")
    store.record_status(["gate-a"], T0 + 10, "offline", "end of stream")
    store.record_status(["gate-a"], T0 + 20, "offline", "无法打开 rtsp://cam/1")
    store.record_status(["gate-a", "gate-b"], T0 + 30, "stopped", "")
    return store


@pytest.mark.parametrize(
    ("since", "until", "expected_at"),
    [
        pytest.param(T0 + 15, T0 + 25, [10, 20], id="the-change-in-force-at-since-comes-first"),
        pytest.param(T0 + 10, T0 + 25, [10, 20], id="a-change-at-since-is-the-one-in-force"),
        pytest.param(T0 - 5, T0 + 1, [0, 1], id="nothing-before-since"),
        pytest.param(T0 + 31, T0 + 99, [30], id="only-the-one-in-force"),
        pytest.param(T0 - 9, T0 - 5, [], id="nothing-yet"),
    ],
)
def test_status_changes_over_a_span(
    logged: SqlStore, since: float, until: float, expected_at: list[float]
) -> None:
    changes = logged.status_changes("gate-a", since, until)
    assert [c.at - T0 for c in changes] == expected_at


def test_status_changes_round_trip(logged: SqlStore) -> None:
    assert logged.status_changes("gate-a", T0 + 15, T0 + 25) == [
        StatusChange(T0 + 10, "offline", "end of stream"),
        StatusChange(T0 + 20, "offline", "无法打开 rtsp://cam/1"),
    ]
    assert logged.status_changes("gate-b", T0, T0 + 99) == [
        StatusChange(T0, "starting", ""),
        StatusChange(T0 + 30, "stopped", ""),
    ]


@pytest.mark.parametrize(
    ("since", "until", "limit", "expected_at"),
    [
        pytest.param(None, None, 100, [30, 20, 10, 1, 0], id="all-newest-first"),
        pytest.param(T0 + 10, T0 + 20, 100, [20, 10], id="within-a-span"),
        pytest.param(None, None, 2, [30, 20], id="the-latest-up-to-the-limit"),
    ],
)
def test_status_history(
    logged: SqlStore,
    since: float | None,
    until: float | None,
    limit: int,
    expected_at: list[float],
) -> None:
    history = logged.status_history("gate-a", since, until, limit)
    assert [c.at - T0 for c in history] == expected_at


def test_changes_at_one_instant_keep_their_order(store: SqlStore) -> None:
    store.record_status(["gate-a"], T0, "online", "")
    store.record_status(["gate-a"], T0, "offline", "gone")

    assert [c.status for c in store.status_changes("gate-a", T0, T0 + 1)] == ["offline"]
    assert [c.status for c in store.status_history("gate-a", None, None, 10)] == [
        "offline",
        "online",
    ]


def test_the_sites_ever_recorded(logged: SqlStore) -> None:
    logged.record_status(["gate-c"], T0 + 40, "starting", "")
    assert sorted(logged.status_site_ids()) == ["gate-a", "gate-b", "gate-c"]


def test_recording_no_sites_writes_nothing(store: SqlStore) -> None:
    store.record_status([], T0, "stopped", "")
    assert store.status_history("gate-a", None, None, 10) == []


def test_a_database_from_before_the_log_gets_the_table(store_url: URL) -> None:
    first = SqlStore(store_url)
    with first.engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE {schema.site_status.name}"))
    first.close()

    reopened = SqlStore(store_url)
    try:
        reopened.record_status(["gate-a"], T0, "starting", "")
        assert reopened.status_history("gate-a", None, None, 10) == [
            StatusChange(T0, "starting", "")
        ]
    finally:
        reopened.close()
