from __future__ import annotations

import threading

import numpy as np
import pytest

from monitor.ingest.frames import CapturedFrame, LatestFrame


def _frame(seq: int) -> CapturedFrame:
    return CapturedFrame(np.zeros((2, 2, 3), dtype=np.uint8), seq, captured_at=float(seq))


def test_take_returns_the_newest_and_counts_overwritten_frames() -> None:
    slot = LatestFrame()
    for seq in (1, 2, 3):
        slot.put(_frame(seq))

    taken = slot.take_newer(0, timeout=0)

    assert taken is not None
    assert taken.seq == 3
    assert slot.dropped == 2


def test_taken_frame_is_not_counted_as_dropped_when_replaced() -> None:
    slot = LatestFrame()
    slot.put(_frame(1))
    assert slot.take_newer(0, timeout=0) is not None

    slot.put(_frame(2))

    assert slot.dropped == 0


@pytest.mark.parametrize(
    ("held", "after_seq"),
    [
        pytest.param(None, 0, id="empty"),
        pytest.param(5, 5, id="already-seen"),
        pytest.param(5, 9, id="seen-later-one"),
    ],
)
def test_take_newer_times_out_without_a_newer_frame(held: int | None, after_seq: int) -> None:
    slot = LatestFrame()
    if held is not None:
        slot.put(_frame(held))

    assert slot.take_newer(after_seq, timeout=0.01) is None


def test_take_newer_wakes_when_a_frame_is_put() -> None:
    slot = LatestFrame()
    slot.put(_frame(1))
    assert slot.take_newer(0, timeout=0) is not None
    waiting = threading.Event()
    result: list[CapturedFrame | None] = []

    def consumer() -> None:
        waiting.set()
        result.append(slot.take_newer(1, timeout=10))

    thread = threading.Thread(target=consumer)
    thread.start()
    assert waiting.wait(5)
    slot.put(_frame(2))
    thread.join(10)

    assert not thread.is_alive()
    assert [frame.seq if frame else None for frame in result] == [2]


def test_peek_does_not_take() -> None:
    slot = LatestFrame()
    assert slot.peek() is None
    slot.put(_frame(1))

    peeked = slot.peek()
    slot.put(_frame(2))

    assert peeked is not None
    assert peeked.seq == 1
    assert slot.dropped == 1
