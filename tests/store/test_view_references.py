from __future__ import annotations

from dataclasses import replace

from monitor.store.sql import SqlStore
from monitor.store.view_references import ViewReference, ViewReferences

TAKEN = ViewReference(
    site_id="wuyi",
    source_digest="ab" * 32,
    captured_at=100.0,
    taken_at=101.5,
    taken_by="system",
    width=640,
    height=480,
    corners=612,
    jpeg=b"\xff\xd8 a frame \xff\xd9",
)


def test_a_sites_set_up_view_is_kept_replaced_and_deleted(store: SqlStore) -> None:
    views = ViewReferences(store.engine)
    assert views.get("wuyi") is None
    views.put(TAKEN)
    views.put(replace(TAKEN, site_id="huangxing", jpeg=b"another"))
    assert views.get("wuyi") == TAKEN
    retaken = replace(TAKEN, taken_at=200.0, taken_by="sup li", jpeg=b"the new view")
    views.put(retaken)
    assert views.get("wuyi") == retaken
    views.delete("wuyi")
    assert views.get("wuyi") is None
    got = views.get("huangxing")
    assert got is not None
    assert got.jpeg == b"another"
