from __future__ import annotations

import pytest

from monitor.recording.index import NewSegment, RecordingIndex
from monitor.store.sql import SqlStore


def new(site: str, start: float, end: float, name: str, size: int = 10) -> NewSegment:
    return NewSegment(site, start, end, f"{site}/{name}.mp4", size, 20, 160, 120)


@pytest.fixture
def index(store: SqlStore) -> RecordingIndex:
    return RecordingIndex(store.engine)


def test_segments_round_trip_and_filter_by_overlap(index: RecordingIndex) -> None:
    first = index.add_segment(new("a", 100.25, 160.5, "1"))
    second = index.add_segment(new("a", 160.75, 220.0, "2"))
    index.add_segment(new("b", 100.0, 160.0, "3"))
    assert index.segment(first.id) == first
    assert index.segments("a", None, None) == [first, second]
    assert index.segments("a", 160.6, 161.0) == [second]
    assert index.segments("a", 150.0, 170.0) == [first, second]
    assert index.segments("a", 300.0, None) == []
    assert index.total_size() == 30


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(130.0, "1", id="inside-first"),
        pytest.param(160.6, "1", id="gap-nearer-first"),
        pytest.param(160.7, "2", id="gap-nearer-second"),
        pytest.param(10.0, "1", id="before-all"),
        pytest.param(999.0, "2", id="after-all"),
    ],
)
def test_segment_at(index: RecordingIndex, at: float, expected: str) -> None:
    index.add_segment(new("a", 100.0, 160.5, "1"))
    index.add_segment(new("a", 160.8, 220.0, "2"))
    found = index.segment_at("a", at)
    assert found is not None
    assert found.path == f"a/{expected}.mp4"
    assert index.segment_at("nowhere", at) is None


def test_delete_segment(index: RecordingIndex) -> None:
    doomed = index.add_segment(new("a", 1.0, 2.0, "1"))
    index.delete_segment(doomed.id)
    assert index.segment(doomed.id) is None


def test_pins(index: RecordingIndex) -> None:
    everywhere = index.add_pin(None, 10.0, 20.0, "chief", 5.0, "holiday night")
    one = index.add_pin("a", 1.0, 2.0, "chief", 5.0, "")
    assert index.pins() == [one, everywhere]
    assert everywhere.covers("b", 15.0, 30.0)
    assert not one.covers("b", 1.0, 2.0)
    assert index.delete_pin(one.id)
    assert not index.delete_pin(one.id)
    assert index.pins() == [everywhere]
    with pytest.raises(ValueError, match="before its start"):
        index.add_pin("a", 5.0, 4.0, "chief", 5.0, "")


def test_tables_are_added_to_an_existing_database(store: SqlStore) -> None:
    RecordingIndex(store.engine)
    again = RecordingIndex(store.engine)  # create_all again is harmless
    assert again.segments(None, None, None) == []
