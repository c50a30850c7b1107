from __future__ import annotations

import pytest

from monitor.config.recording import RecordingConfig, RecordingPolicy
from monitor.recording.policy import PreRoll, RecordWindow, starts_new_segment


def window(policy: str, pre_s: float = 10, post_s: float = 30) -> RecordWindow:
    return RecordWindow(RecordingConfig(policy=RecordingPolicy(policy), pre_s=pre_s, post_s=post_s))


@pytest.mark.parametrize(
    ("policy", "raised", "cleared", "t", "wanted"),
    [
        pytest.param("continuous", None, None, 5.0, True, id="continuous-always"),
        pytest.param("off", 100.0, None, 100.0, False, id="off-never"),
        pytest.param("alerts", None, None, 100.0, False, id="alerts-quiet"),
        pytest.param("alerts", 100.0, None, 89.0, False, id="before-pre-roll"),
        pytest.param("alerts", 100.0, None, 90.0, True, id="pre-roll-start"),
        pytest.param("alerts", 100.0, None, 5000.0, True, id="while-open"),
        pytest.param("alerts", 100.0, 200.0, 230.0, True, id="post-roll-end"),
        pytest.param("alerts", 100.0, 200.0, 230.5, False, id="after-post-roll"),
    ],
)
def test_window(
    policy: str, raised: float | None, cleared: float | None, t: float, wanted: bool
) -> None:
    w = window(policy)
    if raised is not None:
        w.alert_raised(raised)
    if cleared is not None:
        w.alert_cleared(cleared)
    assert w.wanted(t) is wanted


def test_a_new_raise_reopens_the_window() -> None:
    w = window("alerts", pre_s=0, post_s=0)
    w.alert_raised(10)
    w.alert_cleared(20)
    assert not w.wanted(25)
    w.alert_raised(30)
    assert w.wanted(31)


def test_pre_roll_keeps_only_recent_and_hands_over_what_the_window_wants() -> None:
    roll: PreRoll[str] = PreRoll(keep_s=5)
    for t in range(20):
        roll.push(float(t), f"f{t}")
    assert len(roll) == 6  # 14..19
    w = window("alerts", pre_s=3)
    w.alert_raised(19)
    assert [item for _, item in roll.take(w)] == ["f16", "f17", "f18", "f19"]
    assert len(roll) == 0


@pytest.mark.parametrize(
    ("start", "last", "t", "size_changed", "new"),
    [
        pytest.param(None, None, 0.0, False, True, id="nothing-open"),
        pytest.param(0.0, 1.0, 1.1, False, False, id="extends"),
        pytest.param(0.0, 59.9, 60.0, False, True, id="long-enough"),
        pytest.param(0.0, 1.0, 3.5, False, True, id="gap"),
        pytest.param(0.0, 1.0, 0.5, False, True, id="clock-stepped-back"),
        pytest.param(0.0, 1.0, 1.1, True, True, id="size-changed"),
    ],
)
def test_segment_rotation(
    start: float | None, last: float | None, t: float, size_changed: bool, new: bool
) -> None:
    assert starts_new_segment(start, last, t, 60.0, size_changed) is new
