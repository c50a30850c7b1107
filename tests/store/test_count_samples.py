from __future__ import annotations

from monitor.store.count_samples import CountSamples, SampleFrame
from monitor.store.sql import SqlStore

ROI = [(0.0, 0.0), (160.0, 0.0), (160.0, 120.0), (0.0, 120.0)]


JPEG = b"\xff\xd8 a picture \xff\xd9"


def frame(site: str, model_count: float = 4.0) -> SampleFrame:
    return SampleFrame(
        site_id=site,
        captured_at=100.0,
        taken_at=101.0,
        taken_by="li",
        model_count=model_count,
        roi=ROI,
        exclude=[[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]],
        width=160,
        height=120,
    )


def test_samples_keep_their_picture_region_and_heads(store: SqlStore) -> None:
    samples = CountSamples(store.engine)
    first = samples.add(frame("wuyi"), JPEG)
    samples.add(frame("pozi"), JPEG)
    second = samples.add(frame("wuyi", 7.5), JPEG)
    assert (first.heads, first.true_count, first.counted_by) == (None, None, None)
    assert first.frame == frame("wuyi")
    assert second.frame.model_count == 7.5
    assert samples.jpeg(first.id) == JPEG
    assert [s.id for s in samples.of_site("wuyi")] == [first.id, second.id]
    assert samples.count("wuyi") == 2

    counted = samples.set_heads(first.id, [(12.0, 60.5), (36.0, 60.0)], 2, "wang", 200.0)
    assert counted is not None
    assert (counted.heads, counted.true_count, counted.counted_by, counted.counted_at) == (
        [(12.0, 60.5), (36.0, 60.0)],
        2,
        "wang",
        200.0,
    )
    # A restart (another instance on the database) finds them.
    assert CountSamples(store.engine).get(first.id) == counted

    assert samples.delete(first.id)
    assert not samples.delete(first.id)
    assert samples.get(first.id) is None
    assert samples.jpeg(first.id) is None
    assert samples.set_heads(first.id, [], 0, "wang", 300.0) is None
    assert samples.count("wuyi") == 1
