from __future__ import annotations

from monitor.store.count_scales import AppliedScale, CountScales
from monitor.store.sql import SqlStore


def test_the_latest_scale_of_each_site_is_read_back_with_its_evidence(store: SqlStore) -> None:
    scales = CountScales(store.engine)
    assert scales.latest("wuyi") is None
    first = AppliedScale("wuyi", 100.0, "li", 1.25, 3, 0.33, None)
    by_hand = AppliedScale("pozi", 150.0, "li", 0.8, 0, None, None)
    second = AppliedScale("wuyi", 200.0, "wang", 1.3333, 5, 0.2, 1.1)
    for applied in (first, by_hand, second):
        scales.record(applied)
    assert scales.latest("wuyi") == second
    assert CountScales(store.engine).latest("pozi") == by_hand  # after a restart too
