"""Retention over real files and index rows, and alerts reaching the recorders via the bus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState, AlertUpdate
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import alert_payload
from monitor.bus.messages import MessageType
from monitor.config.app import AppConfig
from monitor.recording.service import FrameTaps, RecordingService
from monitor.store.sql import SqlStore
from tests.recording.test_recorder import T0, frames
from tests.support.config import minimal_site

SITE = "wuyi-square"


def service(
    store: SqlStore, tmp_path: Path, bus: InMemoryBus, taps: FrameTaps, **retention: float
) -> RecordingService:
    site = minimal_site(
        recording={
            "policy": "alerts",
            "segment_s": 2,
            "pre_s": 0,
            "post_s": 0,
            "queue_frames": 1000,
        }
    )
    config = AppConfig.model_validate({"sites": [site], "retention": retention})
    return RecordingService(config, tmp_path / "data", store.engine, bus, taps, retry_s=0)


@pytest.fixture
def recorded(store: SqlStore, tmp_path: Path) -> RecordingService:
    """Four 2 s segments recorded through the taps while an alert (from the bus) is open."""
    bus = InMemoryBus(first_id=1)
    taps = FrameTaps()
    made = service(store, tmp_path, bus, taps, max_age_h=1, alert_max_age_h=1, disk_budget_mb=1)
    made.start()
    raised = Alert(SITE, SITE, "count", "elevated", "elevated", 5.0, AlertState.OPEN, T0, T0)
    event = AlertEvent("e1", SITE, SITE, AlertEventKind.RAISED, "elevated", 5.0, T0)
    bus.publish(MessageType.ALERT, SITE, alert_payload(AlertUpdate(raised, event)))
    # Frames the raise has not reached yet wait in the pre-roll, so whenever it arrives
    # every frame from T0 on is recorded.
    tap = taps.listener(SITE)
    for frame in frames(0, 79):
        tap(frame)
    deadline = time.monotonic() + 30
    while (status := made.status(SITE)) is None or status.status != "recording":
        assert time.monotonic() < deadline, "the raise never reached the recorder"
        time.sleep(0.02)
    made.stop()
    return made


def test_alerts_from_the_bus_start_recording(recorded: RecordingService) -> None:
    found = recorded.index.segments(SITE, None, None)
    assert [s.start for s in found] == pytest.approx([T0, T0 + 2, T0 + 4, T0 + 6])


def test_retention_deletes_oldest_unpinned_rows_and_files(recorded: RecordingService) -> None:
    found = recorded.index.segments(SITE, None, None)
    recorded.index.add_pin(SITE, T0 + 0.5, T0 + 1.0, "chief", T0, "keep")
    # All older than the age limits: everything goes but the pinned first segment.
    deleted = recorded.sweep(now=T0 + 10 * 3600)
    assert [s.id for s in deleted] == [s.id for s in found[1:]]
    assert [s.id for s in recorded.index.segments(SITE, None, None)] == [found[0].id]
    files = sorted(p.name for p in recorded.root.rglob("*.mp4"))
    assert files == [Path(found[0].path).name]


def test_retention_by_budget_only(recorded: RecordingService) -> None:
    found = recorded.index.segments(SITE, None, None)
    sizes = [s.size for s in found]
    budget_mb = (sum(sizes) - sizes[0] - 1) / 1_000_000  # the two oldest must go
    recorded.config = recorded.config.model_copy(
        update={
            "retention": recorded.config.retention.model_copy(
                update={"disk_budget_mb": budget_mb, "max_age_h": 1000, "alert_max_age_h": 1000}
            )
        }
    )
    deleted = recorded.sweep(now=T0 + 60)
    assert [s.id for s in deleted] == [found[0].id, found[1].id]


def test_unfinished_segments_of_a_crash_are_removed_at_start(
    store: SqlStore, tmp_path: Path
) -> None:
    taps = FrameTaps()
    made = service(store, tmp_path, InMemoryBus(first_id=1), taps)
    leftover = made.root / SITE / "1800000000000.mp4.part"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a segment")
    kept = made.root / SITE / "1700000000000.mp4"
    kept.write_bytes(b"a whole one")
    made.start()
    made.stop()
    assert not leftover.exists()
    assert kept.exists()
