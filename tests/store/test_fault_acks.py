from __future__ import annotations

import pytest
import sqlalchemy as sa

from monitor.store.fault_acks import FaultAck, FaultAcks, fault_acks
from monitor.store.schema import RowId
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


OLD_COLUMNS = (
    ("site_id", sa.String),
    ("kind", sa.String),
    ("since", sa.Double),
    ("at", sa.Double),
    ("by", sa.String),
    ("note", sa.Text),
)


def test_a_table_from_before_expected_back_gains_it(store: SqlStore) -> None:
    # The table as the first build with acknowledgements made it.
    old = sa.Table(
        "fault_acks",
        sa.MetaData(),
        sa.Column("id", RowId, primary_key=True, autoincrement=True),
        *(sa.Column(name, kind, nullable=False) for name, kind in OLD_COLUMNS),
    )
    with store.engine.begin() as conn:
        fault_acks.drop(conn, checkfirst=True)
        old.create(conn)
        conn.execute(
            old.insert().values(
                site_id="wuyi", kind="offline", since=100, at=110, by="li", note="t1"
            )
        )
    acks = FaultAcks(store.engine)
    assert acks.latest() == [ack("wuyi", 100.0, 110.0, "t1")]
    acks.record(FaultAck("wuyi", "offline", 100.0, 120.0, "li", "vendor Thursday", 500.0))
    assert FaultAcks(store.engine).latest()[0].expected_back == 500.0
