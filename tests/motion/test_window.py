from __future__ import annotations

import pytest

from monitor.motion.measure import MotionSample
from monitor.motion.window import MotionWindow

LIMIT = 0.02


def sample(pressure: float, speed: float = 0.5) -> MotionSample:
    return MotionSample(speed_m_s=speed, pressure=pressure)


def test_one_noisy_frame_does_not_flag_turbulence_and_a_lasting_push_does() -> None:
    window = MotionWindow(window_s=5.0)
    calm = [window.add(100 + t / 2, sample(0.005), LIMIT) for t in range(6)]
    spike = window.add(103.0, sample(0.3), LIMIT)
    assert [m.turbulent for m in [*calm, spike]] == [False] * 7
    assert spike.pressure == pytest.approx(0.005)
    pushed = [window.add(103.5 + t / 2, sample(0.05), LIMIT) for t in range(8)]
    # Turbulent once half of the last 5 s is (the spike and four pushed frames of ten).
    assert [m.turbulent for m in pushed] == [False] * 3 + [True] * 5
    assert pushed[-1].pressure == pytest.approx(0.05)


def test_the_speed_is_the_frames_own() -> None:
    window = MotionWindow(window_s=5.0)
    window.add(100.0, sample(0.0, speed=1.4), LIMIT)
    assert window.add(100.5, sample(0.0, speed=0.2), LIMIT).speed_m_s == 0.2


def test_old_frames_leave_the_window() -> None:
    window = MotionWindow(window_s=5.0)
    for t in range(10):
        window.add(100 + t / 2, sample(0.5), LIMIT)
    # 5 s later every earlier frame has left: the window is this frame alone.
    assert window.add(109.5, sample(0.001), LIMIT).pressure == pytest.approx(0.001)


@pytest.mark.parametrize(
    ("window_s", "pressures", "expected"),
    [
        pytest.param(0.0, [0.5, 0.001], 0.001, id="no-window-is-each-frame"),
        pytest.param(5.0, [0.5, 0.001], (0.5 + 0.001) / 2, id="median-of-two"),
    ],
)
def test_window_length(window_s: float, pressures: list[float], expected: float) -> None:
    window = MotionWindow(window_s)
    motion = None
    for index, pressure in enumerate(pressures):
        motion = window.add(100 + index / 2, sample(pressure), LIMIT)
    assert motion is not None
    assert motion.pressure == pytest.approx(expected)


def test_a_gap_starts_afresh() -> None:
    window = MotionWindow(window_s=5.0)
    for t in range(6):
        window.add(100 + t / 2, sample(0.5), LIMIT)
    window.clear()
    assert window.add(103.0, sample(0.001), LIMIT).turbulent is False
