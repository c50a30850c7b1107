"""The status recorder on a real bus and a real store."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from monitor.bus.bus import InMemoryBus
from monitor.bus.messages import MessageType, SiteStatus, SiteStatusPayload
from monitor.pipeline.status_recorder import UNCLEAN_STOP, StatusRecorder
from monitor.quality.outages import RecordedStatus, StatusChange
from monitor.store.base import StoredReading
from monitor.store.sql import SqlStore
from tests.support.fake_monitor import stored_reading

SITES = ["gate-a", "gate-b"]
WAIT_S = 5.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore(URL.create("sqlite", database=str(tmp_path / "store.db")))
    yield opened
    opened.close()


class Clock:
    """The wall clock, remembering what it told the recorder (at its start, then its stop)."""

    def __init__(self) -> None:
        self.told: list[float] = []

    def __call__(self) -> float:
        self.told.append(time.time())
        return self.told[-1]


def publish(bus: InMemoryBus, site_id: str, status: SiteStatus, reason: str = "") -> float:
    item = bus.publish(
        MessageType.SITE_STATUS, site_id, SiteStatusPayload(status=status, reason=reason)
    )
    return item.ts


def history(store: SqlStore, site_id: str) -> list[tuple[RecordedStatus, str]]:
    return [(c.status, c.reason) for c in reversed(store.status_history(site_id, None, None, 100))]


def wait_for(store: SqlStore, site_id: str, count: int) -> list[StatusChange]:
    deadline = time.monotonic() + WAIT_S
    while True:
        changes = store.status_history(site_id, None, None, 100)
        if len(changes) >= count or time.monotonic() > deadline:
            return list(reversed(changes))
        time.sleep(0.01)


def test_it_records_the_start_each_change_and_the_stop(store: SqlStore) -> None:
    bus = InMemoryBus()
    clock = Clock()
    recorder = StatusRecorder(store, bus, SITES, clock=clock)
    recorder.start()
    online_at = publish(bus, "gate-a", "online")
    offline_at = publish(bus, "gate-a", "offline", "end of stream")
    recorded = wait_for(store, "gate-a", 3)

    recorder.stop()

    started_at, stopped_at = clock.told
    assert recorded == [
        StatusChange(started_at, "starting", ""),
        StatusChange(online_at, "online", ""),
        StatusChange(offline_at, "offline", "end of stream"),
    ]
    assert store.status_history("gate-a", None, None, 1) == [
        StatusChange(stopped_at, "stopped", "")
    ]
    assert history(store, "gate-b") == [("starting", ""), ("stopped", "")]


def test_a_status_is_recorded_once_and_an_outage_again_for_a_new_reason(store: SqlStore) -> None:
    bus = InMemoryBus()
    recorder = StatusRecorder(store, bus, SITES, clock=Clock())
    recorder.start()
    for status, reason in [
        ("starting", "opening rtsp://cam/1"),
        ("online", "receiving rtsp://cam/1"),
        ("online", "receiving rtsp://cam/1 again"),
        ("offline", "no frames for 10 s"),
        ("offline", "no frames for 10 s"),
        ("offline", "cannot open the stream"),
    ]:
        publish(bus, "gate-a", status, reason)  # type: ignore[arg-type]

    recorder.stop()

    assert history(store, "gate-a") == [
        ("starting", ""),
        ("online", "receiving rtsp://cam/1"),
        ("offline", "no frames for 10 s"),
        ("offline", "cannot open the stream"),
        ("stopped", ""),
    ]


def test_changes_published_just_before_the_stop_are_kept(store: SqlStore) -> None:
    bus = InMemoryBus()
    recorder = StatusRecorder(store, bus, SITES, clock=Clock())
    recorder.start()
    publish(bus, "gate-b", "online")
    publish(bus, "gate-b", "offline", "end of stream")

    recorder.stop()

    assert history(store, "gate-b") == [
        ("starting", ""),
        ("online", ""),
        ("offline", "end of stream"),
        ("stopped", ""),
    ]


def test_a_site_added_after_the_start_is_stopped_too(store: SqlStore) -> None:
    bus = InMemoryBus()
    recorder = StatusRecorder(store, bus, SITES, clock=Clock())
    recorder.start()
    publish(bus, "new-site", "online")

    recorder.stop()

    assert history(store, "new-site") == [("online", ""), ("stopped", "")]


class FailingOnce:
    """The store as it is during an outage, and after it."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.failures = 1

    def record_status(
        self, site_ids: list[str], at: float, status: RecordedStatus, reason: str
    ) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("database is locked")
        self.store.record_status(site_ids, at, status, reason)

    def status_history(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StatusChange]:
        return self.store.status_history(site_id, since, until, limit)

    def readings(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StoredReading]:
        return self.store.readings(site_id, since, until, limit)


def test_a_failed_write_is_logged_and_the_next_goes_on(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    bus = InMemoryBus()
    recorder = StatusRecorder(FailingOnce(store), bus, SITES, clock=Clock())
    with caplog.at_level(logging.ERROR, logger="monitor.pipeline.status_recorder"):
        recorder.start()
        publish(bus, "gate-a", "online")
        recorder.stop()

    assert "recording starting for gate-a, gate-b failed" in caplog.text
    assert history(store, "gate-a") == [("online", ""), ("stopped", "")]


def test_a_run_that_crashed_is_stopped_at_its_last_sign_of_life(store: SqlStore) -> None:
    """The last run: gate-a online with readings up to +50, gate-b's camera down from +5
    (with a new reason at +60, the last sign of life of all). Then the process died: both
    sites stopped at +60, gate-a too though its own last sign was earlier."""
    t0 = time.time() - 3600
    store.record_status(SITES, t0, "starting", "")
    store.record_status(["gate-a"], t0 + 1, "online", "")
    store.record_status(["gate-b"], t0 + 5, "offline", "no frames for 10 s")
    store.record_status(["gate-b"], t0 + 60, "offline", "cannot open rtsp://cam/2")
    store.add_readings([stored_reading("gate-a", seq, t0 + seq, 1.0) for seq in range(2, 51)])
    clock = Clock()
    recorder = StatusRecorder(store, InMemoryBus(), SITES, clock=clock)

    recorder.start()
    recorder.stop()

    started_at, stopped_at = clock.told
    for site_id in SITES:
        newest_first = store.status_history(site_id, None, None, 3)
        assert newest_first == [
            StatusChange(stopped_at, "stopped", ""),
            StatusChange(started_at, "starting", ""),
            StatusChange(t0 + 60, "stopped", UNCLEAN_STOP),
        ]


def test_a_reading_after_the_last_change_dates_the_crash(store: SqlStore) -> None:
    t0 = time.time() - 3600
    store.record_status(["gate-a"], t0, "online", "")
    store.add_readings([stored_reading("gate-a", 1, t0 + 42.5, 1.0)])
    recorder = StatusRecorder(store, InMemoryBus(), ["gate-a"], clock=Clock())

    recorder.start()
    recorder.stop()

    assert store.status_changes("gate-a", t0 + 1, t0 + 43) == [
        StatusChange(t0, "online", ""),
        StatusChange(t0 + 42.5, "stopped", UNCLEAN_STOP),
    ]


@pytest.mark.parametrize(
    "before",
    [
        pytest.param([], id="a-new-store"),
        pytest.param([("starting", ""), ("online", ""), ("stopped", "")], id="a-clean-stop"),
    ],
)
def test_nothing_to_close_after_a_clean_stop(
    store: SqlStore, before: list[tuple[RecordedStatus, str]]
) -> None:
    t0 = time.time() - 3600
    for offset, (status, reason) in enumerate(before):
        store.record_status(SITES, t0 + offset, status, reason)
    recorder = StatusRecorder(store, InMemoryBus(), SITES, clock=Clock())

    recorder.start()
    recorder.stop()

    assert history(store, "gate-a") == [*before, ("starting", ""), ("stopped", "")]
