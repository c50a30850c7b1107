from __future__ import annotations

import threading

from sqlalchemy.engine import URL

from monitor.store.site_overrides import SiteChange, SiteOverrides
from monitor.store.sql import SqlStore

ROI = [[0, 0], [100, 0], [100, 80]]


def change(at: float, kind: str, new: dict[str, object], site_id: str = "wuyi") -> SiteChange:
    return SiteChange(site_id=site_id, at=at, changed_by="sup li", kind=kind, old={}, new=new)


def test_overrides_merge_per_site_and_keep_history(store: SqlStore) -> None:
    overrides = SiteOverrides(store.engine)
    assert overrides.current() == {}
    overrides.record(change(1.0, "region", {"roi": ROI, "exclude": []}))
    overrides.record(change(2.0, "source", {"source": "rtsp://cam/1"}))
    overrides.record(change(3.0, "region", {"roi": [*ROI[:2], [5, 5]], "exclude": [ROI]}))
    overrides.record(change(4.0, "source", {"source": "0"}, site_id="huangxing"))
    assert overrides.current() == {
        "wuyi": {"roi": [[0, 0], [100, 0], [5, 5]], "exclude": [ROI], "source": "rtsp://cam/1"},
        "huangxing": {"source": "0"},
    }
    history = overrides.changes("wuyi")
    assert [(c.at, c.kind) for c in history] == [(3.0, "region"), (2.0, "source"), (1.0, "region")]
    assert history[0].changed_by == "sup li"
    assert [c.at for c in overrides.changes("wuyi", limit=1)] == [3.0]


def test_overrides_survive_reopening_the_database(store_url: URL) -> None:
    first = SqlStore(store_url)
    try:
        SiteOverrides(first.engine).record(change(1.0, "source", {"source": "0"}))
    finally:
        first.close()
    second = SqlStore(store_url)
    try:
        assert SiteOverrides(second.engine).current() == {"wuyi": {"source": "0"}}
    finally:
        second.close()


def test_concurrent_changes_of_one_site_both_land(store: SqlStore) -> None:
    overrides = SiteOverrides(store.engine)
    fields = [f"field{n}" for n in range(8)]
    threads = [
        threading.Thread(target=overrides.record, args=(change(float(n), "x", {name: n}),))
        for n, name in enumerate(fields)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overrides.current()["wuyi"] == {name: n for n, name in enumerate(fields)}
    assert len(overrides.changes("wuyi")) == len(fields)
