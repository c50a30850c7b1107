from __future__ import annotations

import threading

import pytest

from monitor.ingest.pacing import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class RecordingStop(threading.Event):
    """Records how long the pacer asked to sleep instead of sleeping."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        return self.is_set()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_first_tick_is_due_at_once(clock: FakeClock) -> None:
    stop = RecordingStop()

    assert Pacer(0.1, clock=clock).wait(stop) is False
    assert stop.waits == []


def test_deadlines_advance_by_whole_periods_despite_late_wakeups(clock: FakeClock) -> None:
    pacer = Pacer(0.1, clock=clock)
    stop = RecordingStop()
    clock.now += 0.03  # decoding took a while
    pacer.tick()

    pacer.wait(stop)

    assert stop.waits == [pytest.approx(0.07)]


def test_schedule_restarts_after_a_long_stall_instead_of_bursting(clock: FakeClock) -> None:
    pacer = Pacer(0.1, max_lag_s=1.0, clock=clock)
    clock.now += 5.0
    pacer.tick()  # 49 periods late: restart from now
    pacer.tick()
    stop = RecordingStop()

    pacer.wait(stop)

    assert stop.waits == [pytest.approx(0.1)]


def test_wait_reports_stop(clock: FakeClock) -> None:
    pacer = Pacer(3600.0, clock=clock)
    pacer.tick()
    stop = RecordingStop()
    stop.set()

    assert pacer.wait(stop) is True
