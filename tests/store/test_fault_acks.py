from __future__ import annotations

import pytest

from monitor.store.fault_acks import FaultAck, FaultAcks
from monitor.store.sql import SqlStore


def ack(site: str, since: float, at: float, note: str = "", kind: str = "offline") -> FaultAck:
    return FaultAck(site, kind, since, at, "li", note)


def test_the_latest_acknowledgement_of_each_site_is_in_force(store: SqlStore) -> None:
    acks = FaultAcks(store.engine)
    assert acks.latest() == []
    acks.record(ack("wuyi", 100.0, 110.0, "ticket 1"))
    acks.record(ack("pozi", 50.0, 60.0, kind="picture"))
    acks.record(ack("wuyi", 500.0, 520.0, "ticket 2"))
    assert acks.latest() == [
        ack("pozi", 50.0, 60.0, kind="picture"),
        ack("wuyi", 500.0, 520.0, "ticket 2"),
    ]
    assert [a.note for a in acks.history("wuyi")] == ["ticket 2", "ticket 1"]
    assert [a.note for a in acks.history("wuyi", limit=1)] == ["ticket 2"]
    with pytest.raises(ValueError, match="limit"):
        acks.history("wuyi", limit=0)
    # A second instance on the same database (a restart) sees them.
    assert FaultAcks(store.engine).latest()[1].note == "ticket 2"
