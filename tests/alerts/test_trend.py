from __future__ import annotations

import numpy as np
import pytest

from monitor.alerts.trend import Direction, TrendWindow, estimate_trend
from monitor.config.thresholds import LevelConfig
from monitor.config.trend import TrendConfig

LEVELS = [
    LevelConfig(name="elevated", color="#f5c542", enter=50, exit=45),
    LevelConfig(name="high", color="#f08c00", enter=80, exit=75),
]
CONFIG = TrendConfig(window_s=120, horizon_s=300, min_rise=0.1)
T0 = 1_700_000_000.0


def series(
    start: float, per_min: float, seconds: float = 120, fps: float = 2, noise: float = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Readings every 1/fps s over `seconds`, a straight line with Gaussian scatter."""
    times = T0 + np.arange(0, seconds, 1 / fps)
    rng = np.random.default_rng(3)
    values = start + per_min * (times - T0) / 60 + rng.normal(0, noise, size=times.size)
    return times, values


@pytest.mark.parametrize(
    ("start", "per_min", "level", "direction", "next_level", "eta_s"),
    [
        # The last reading, at 119.5 s, is at 39.92: 10.08 to go at 10 a minute.
        pytest.param(20, 10, "normal", Direction.RISING, "elevated", 60.5, id="rising-to-elevated"),
        pytest.param(
            55, 10, "elevated", Direction.RISING, "high", 30.5, id="rising-from-elevated-to-high"
        ),
        # Ends at 31.5: 18.5 to go at 2.5 a minute is past the 5-minute horizon.
        pytest.param(26.5, 2.5, "normal", Direction.RISING, "elevated", None, id="beyond-horizon"),
        pytest.param(40, -10, "elevated", Direction.FALLING, "high", None, id="falling"),
        pytest.param(30, 1, "normal", Direction.STEADY, "elevated", None, id="too-slow-to-count"),
        pytest.param(90, 20, "high", Direction.RISING, None, None, id="top-level-has-no-next"),
        # At 51 and climbing, but the engine waits for the level's minimum duration.
        pytest.param(49, 1, "normal", Direction.STEADY, "elevated", 0, id="already-past-enter"),
        pytest.param(20, 10, "busy", Direction.RISING, "elevated", 60.5, id="unknown-level"),
    ],
)
def test_trend_of_a_straight_line(
    start: float,
    per_min: float,
    level: str,
    direction: Direction,
    next_level: str | None,
    eta_s: float | None,
) -> None:
    times, values = series(start, per_min)

    trend = estimate_trend(times, values, LEVELS, level, CONFIG)

    assert trend is not None
    assert trend.direction is direction
    assert trend.rate_per_min == pytest.approx(per_min)
    assert (trend.next_level and trend.next_level.name) == next_level
    if eta_s is None:
        assert trend.eta_s is None
    else:
        assert trend.eta_s == pytest.approx(eta_s)
    assert trend.value == pytest.approx(start + per_min * (times[-1] - T0) / 60)


def test_halves_sloping_against_each_other_are_no_trend() -> None:
    # Down 5, then up 25: the line over the window rises, but a pulse is no surge.
    times = T0 + np.arange(0, 120, 0.5)
    minutes = (times - T0) / 60
    values = np.where(minutes < 1, 20 - 5 * minutes, 15 + 25 * (minutes - 1))
    trend = estimate_trend(times, values, LEVELS, "normal", CONFIG)
    assert trend is not None
    assert trend.rate_per_min > 0
    assert (trend.direction, trend.eta_s) == (Direction.STEADY, None)


def test_the_eta_goes_at_the_later_halfs_pace() -> None:
    # 2 a minute for a minute, then 10 a minute: from 22 at the end, 50 is 2.8 min away
    # at 10 a minute, not 4.2 at the window's mean pace.
    times = T0 + np.arange(0, 120.5, 0.5)
    minutes = (times - T0) / 60
    values = np.where(minutes < 1, 10 + 2 * minutes, 12 + 10 * (minutes - 1))
    trend = estimate_trend(times, values, LEVELS, "normal", CONFIG)
    assert trend is not None
    assert trend.direction is Direction.RISING
    assert trend.eta_s == pytest.approx((50 - values[-1]) / 10 * 60, rel=0.05)


def test_scatter_and_spikes_do_not_make_a_trend() -> None:
    times, values = series(30, 0, noise=2.0)
    values[::17] += 40  # a few frames counting reflections
    trend = estimate_trend(times, values, LEVELS, "normal", CONFIG)
    assert trend is not None
    assert trend.direction is Direction.STEADY
    assert abs(trend.rate_per_min) < 1.0
    assert trend.value == pytest.approx(30, abs=1.5)


def test_a_noisy_surge_is_still_seen() -> None:
    times, values = series(10, 15, noise=4.0)
    trend = estimate_trend(times, values, LEVELS, "normal", CONFIG)
    assert trend is not None
    assert trend.direction is Direction.RISING
    assert trend.rate_per_min == pytest.approx(15, rel=0.15)
    assert trend.eta_s is not None


@pytest.mark.parametrize(
    ("seconds", "fps"),
    [
        pytest.param(50, 2, id="span-under-half-the-window"),
        pytest.param(120, 0.015, id="too-few-readings"),
        pytest.param(0, 2, id="none"),
    ],
)
def test_no_trend_from_a_short_history(seconds: float, fps: float) -> None:
    times, values = series(20, 10, seconds=seconds, fps=fps)
    assert estimate_trend(times, values, LEVELS, "normal", CONFIG) is None


def test_min_rise_zero_counts_any_rise() -> None:
    times, values = series(30, 1)
    config = CONFIG.model_copy(update={"min_rise": 0.0})
    trend = estimate_trend(times, values, LEVELS, "normal", config)
    assert trend is not None
    assert trend.direction is Direction.RISING


@pytest.mark.parametrize(
    ("times", "values", "levels", "message"),
    [
        pytest.param(np.zeros(3), np.zeros(2), LEVELS, "3 times but 2 values", id="lengths"),
        pytest.param(np.zeros(3), np.zeros(3), [], "no levels", id="no-levels"),
    ],
)
def test_refuses_bad_input(
    times: np.ndarray, values: np.ndarray, levels: list[LevelConfig], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        estimate_trend(times, values, levels, "normal", CONFIG)


def test_window_keeps_only_the_last_window_s() -> None:
    window = TrendWindow(window_s=10)
    for t in range(25):
        window.add(T0 + t, float(t))
    times, values = window.arrays()
    assert list(times - T0) == list(range(14, 25))
    assert list(values) == list(range(14, 25))


def test_window_restarts_when_the_clock_goes_back() -> None:
    window = TrendWindow(window_s=10)
    window.add(T0 + 5, 1.0)
    window.add(T0 + 6, 2.0)
    window.add(T0 + 1, 3.0)
    times, values = window.arrays()
    assert list(times - T0) == [1]
    assert list(values) == [3.0]


def test_window_refuses_no_length() -> None:
    with pytest.raises(ValueError, match="window_s"):
        TrendWindow(window_s=0)
