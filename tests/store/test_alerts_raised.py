from __future__ import annotations

import pytest

from monitor.store.sql import SqlStore
from tests.support.stored_alerts import alert, save


def test_alerts_raised_in_a_span_oldest_first_by_site(store: SqlStore) -> None:
    for n, site, at in [(1, "a", 100.0), (2, "b", 200.0), (3, "a", 300.0), (4, "a", 50.0)]:
        save(store, alert(n, site, at))
    assert [a.id for a in store.alerts_raised(100.0, 300.0, None, 10)] == ["a1", "a2", "a3"]
    assert [a.id for a in store.alerts_raised(0.0, 1000.0, "a", 10)] == ["a4", "a1", "a3"]
    assert [a.id for a in store.alerts_raised(0.0, 1000.0, None, 2)] == ["a4", "a1"]
    assert store.alerts_raised(0.0, 1000.0, "gone", 10) == []
    with pytest.raises(ValueError, match="limit"):
        store.alerts_raised(0.0, 1.0, None, -1)
