"""Deleting a site's old readings, on both backends."""

from __future__ import annotations

import pytest

from monitor.store.sql import SqlStore
from tests.store.builders import T0, reading


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    """gate-a: a reading every second from T0 to T0 + 99; gate-b: the same ten."""
    store.add_readings([reading(s) for s in range(100)])
    store.add_readings([reading(s, site_id="gate-b") for s in range(10)])
    return store


def seqs(store: SqlStore, site_id: str) -> list[int]:
    return [r.seq for r in store.readings(site_id, None, None, 1000)]


@pytest.mark.parametrize(
    ("start", "end", "batch", "left"),
    [
        pytest.param(None, T0 + 40, 5000, list(range(40, 100)), id="from-the-first"),
        pytest.param(T0 + 10, T0 + 20, 5000, [*range(10), *range(20, 100)], id="a-range"),
        pytest.param(None, T0 + 40, 7, list(range(40, 100)), id="in-small-batches"),
        pytest.param(T0 + 200, T0 + 300, 5000, list(range(100)), id="nothing-there"),
    ],
)
def test_delete_readings(
    filled: SqlStore, start: float | None, end: float, batch: int, left: list[int]
) -> None:
    deleted = filled.delete_readings("gate-a", start, end, batch=batch)

    assert deleted == 100 - len(left)
    assert seqs(filled, "gate-a") == left
    assert seqs(filled, "gate-b") == list(range(10))


def test_a_batch_must_be_positive(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="batch"):
        store.delete_readings("gate-a", None, T0, batch=0)
