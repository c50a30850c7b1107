from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from monitor.store.base import StoredReading
from monitor.store.sql import SqlStore
from monitor.store.writer import ReadingWriter
from tests.store.builders import reading

WAIT_S = 30.0  # Only an upper bound against hangs; nothing waits this long when all is well.


class RecordingSink:
    def __init__(self, fail_seqs: frozenset[int] = frozenset()) -> None:
        self.batches: list[list[StoredReading]] = []
        self.fail_seqs = fail_seqs

    def add_readings(self, readings: list[StoredReading]) -> None:
        if any(r.seq in self.fail_seqs for r in readings):
            raise OSError("disk full")
        self.batches.append(list(readings))

    @property
    def seqs(self) -> list[int]:
        return [r.seq for batch in self.batches for r in batch]


class BlockingSink(RecordingSink):
    """Holds every write until `release` is set, and says when one has begun."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def add_readings(self, readings: list[StoredReading]) -> None:
        self.entered.set()
        if not self.release.wait(WAIT_S):
            raise TimeoutError("test never released the sink")
        super().add_readings(readings)


@pytest.fixture
def writers() -> Iterator[list[ReadingWriter]]:
    """Stops every writer a test made, so no thread outlives it."""
    made: list[ReadingWriter] = []
    yield made
    for writer in made:
        writer.stop(WAIT_S)


def test_stop_flushes_what_is_queued(writers: list[ReadingWriter]) -> None:
    sink = RecordingSink()
    # A flush interval far beyond the test: only stop() can make these reach the sink.
    writer = ReadingWriter(sink, batch_size=1000, flush_interval_s=3600)
    writers.append(writer)
    writer.start()

    assert all(writer.submit(reading(s)) for s in range(25))
    assert writer.stop(WAIT_S)

    assert sink.seqs == list(range(25))
    assert (writer.written, writer.dropped, writer.failed) == (25, 0, 0)


def test_batches_hold_at_most_batch_size(writers: list[ReadingWriter]) -> None:
    sink = RecordingSink()
    writer = ReadingWriter(sink, batch_size=10)
    writers.append(writer)
    for s in range(25):
        writer.submit(reading(s))
    writer.start()

    assert writer.stop(WAIT_S)

    assert sink.seqs == list(range(25))
    assert max(len(batch) for batch in sink.batches) <= 10


def test_a_full_queue_drops_and_counts(writers: list[ReadingWriter]) -> None:
    sink = BlockingSink()
    writer = ReadingWriter(sink, max_queue=2, batch_size=1)
    writers.append(writer)
    writer.start()
    assert writer.submit(reading(0))
    assert sink.entered.wait(WAIT_S)  # reading 0 is out of the queue, stuck in the sink

    accepted = [writer.submit(reading(s)) for s in (1, 2, 3, 4)]

    assert accepted == [True, True, False, False]
    assert writer.dropped == 2
    sink.release.set()
    assert writer.stop(WAIT_S)
    assert sink.seqs == [0, 1, 2]
    assert (writer.written, writer.dropped, writer.failed) == (3, 2, 0)


def test_a_failing_write_is_counted_and_the_thread_carries_on(
    writers: list[ReadingWriter], caplog: pytest.LogCaptureFixture
) -> None:
    sink = RecordingSink(fail_seqs=frozenset({1, 2}))
    writer = ReadingWriter(sink, batch_size=1)
    writers.append(writer)
    for s in range(5):
        writer.submit(reading(s))

    with caplog.at_level(logging.DEBUG, logger="monitor.store.writer"):
        writer.start()
        assert writer.stop(WAIT_S)

    assert sink.seqs == [0, 3, 4]
    assert (writer.written, writer.dropped, writer.failed) == (3, 0, 2)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1  # one traceback per outage, not per batch
    assert errors[0].exc_info is not None
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_submit_after_stop_is_refused(writers: list[ReadingWriter]) -> None:
    writer = ReadingWriter(RecordingSink())
    writers.append(writer)
    writer.start()
    assert writer.stop(WAIT_S)

    assert not writer.submit(reading(0))
    assert writer.dropped == 1


def test_stop_without_start_still_writes(writers: list[ReadingWriter]) -> None:
    sink = RecordingSink()
    writer = ReadingWriter(sink)
    writers.append(writer)
    writer.submit(reading(0))

    assert writer.stop(WAIT_S)
    assert sink.seqs == [0]


def test_stop_reports_a_writer_still_busy(writers: list[ReadingWriter]) -> None:
    sink = BlockingSink()
    writer = ReadingWriter(sink, batch_size=1)
    writers.append(writer)
    writer.start()
    writer.submit(reading(0))
    assert sink.entered.wait(WAIT_S)

    assert not writer.stop(0.01)

    sink.release.set()
    assert writer.stop(WAIT_S)
    assert sink.seqs == [0]


def test_a_shared_stop_event_ends_the_writer(writers: list[ReadingWriter]) -> None:
    stop = threading.Event()
    sink = RecordingSink()
    writer = ReadingWriter(sink, stop_event=stop, flush_interval_s=0.05)
    writers.append(writer)
    writer.start()
    writer.submit(reading(0))

    stop.set()

    assert writer.stop(WAIT_S)
    assert sink.seqs == [0]
    assert not writer.submit(reading(1))


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"max_queue": 0}, id="max-queue"),
        pytest.param({"batch_size": 0}, id="batch-size"),
        pytest.param({"flush_interval_s": 0.0}, id="flush-interval"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="positive"):
        ReadingWriter(RecordingSink(), **kwargs)  # type: ignore[arg-type]


def test_writes_reach_a_real_store(store: SqlStore, writers: list[ReadingWriter]) -> None:
    writer = ReadingWriter(store, batch_size=7)
    writers.append(writer)
    writer.start()
    for s in range(30):
        writer.submit(reading(s))

    assert writer.stop(WAIT_S)

    assert store.readings("gate-a", None, None, limit=100) == [reading(s) for s in range(30)]
