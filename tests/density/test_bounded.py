"""The cap on frames in flight through one shared estimator."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from monitor.config.app import EstimatorConfig
from monitor.density import registry
from monitor.density.base import DensityMap, Frame
from monitor.density.bounded import BoundedEstimator, default_slots


class HeldEstimator:
    """Counts the threads inside estimate() and keeps them there until released."""

    name = "held"

    def __init__(self) -> None:
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.inside = 0
        self.most_inside = 0
        self.finished = 0

    def estimate(self, frame: Frame) -> DensityMap:
        with self._lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        self.release.wait(10.0)
        with self._lock:
            self.inside -= 1
            self.finished += 1
        return DensityMap(values=np.zeros((1, 1), np.float32), frame_size=(8, 8))


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


@pytest.mark.parametrize("slots", [pytest.param(n, id=f"{n}-slots") for n in (1, 2, 3)])
def test_no_more_frames_than_slots_are_in_flight(slots: int) -> None:
    held = HeldEstimator()
    estimator = BoundedEstimator(held, slots)
    frame = np.zeros((8, 8, 3), np.uint8)
    callers = [threading.Thread(target=estimator.estimate, args=(frame,)) for _ in range(6)]
    for caller in callers:
        caller.start()
    _wait_for(lambda: held.inside == slots)
    time.sleep(0.2)  # time for a caller that slipped past the cap to show up
    assert held.inside == slots
    held.release.set()
    for caller in callers:
        caller.join(5.0)
    assert held.finished == 6, "every waiting caller gets its turn"
    assert held.most_inside == slots


def test_a_failing_frame_gives_its_slot_back() -> None:
    class Failing:
        name = "failing"

        def estimate(self, frame: Frame) -> DensityMap:
            raise RuntimeError("corrupt frame")

    estimator = BoundedEstimator(Failing(), 1)
    for _ in range(3):  # a leaked slot would block the second call forever
        with pytest.raises(RuntimeError, match="corrupt frame"):
            estimator.estimate(np.zeros((8, 8, 3), np.uint8))


def test_zero_slots_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one slot"):
        BoundedEstimator(HeldEstimator(), 0)


@pytest.mark.parametrize(
    ("cores", "threads", "slots"),
    [
        pytest.param(8, 1, 8, id="one-thread-per-frame"),
        pytest.param(8, 3, 2, id="three-threads-per-frame"),
        pytest.param(2, 4, 1, id="more-threads-than-cores"),
        pytest.param(None, 1, 1, id="cores-unknown"),
    ],
)
def test_default_slots_fill_the_cores(
    cores: int | None, threads: int, slots: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert default_slots(threads) == slots


@pytest.mark.parametrize(
    ("concurrent_frames", "threads", "expected"),
    [
        pytest.param(3, 1, 3, id="configured"),
        # Six cores (patched below), one thread per frame: six frames at once.
        pytest.param(None, 1, 6, id="default-one-per-core"),
        pytest.param(None, 2, 3, id="default-two-threads-per-frame"),
    ],
)
def test_registry_applies_the_configured_cap(
    concurrent_frames: int | None, threads: int, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    built = registry.build_estimator(
        EstimatorConfig(name="hog", threads=threads, concurrent_frames=concurrent_frames)
    )
    assert isinstance(built, BoundedEstimator)
    assert built.slots == expected
