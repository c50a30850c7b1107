"""Where a site's metric is heading: its rate over the last minutes, and when, at the
recent pace, it reaches the next level.

Per-frame counts scatter by several percent, so the window is cut into slices and the
trend is fitted to the slices' medians with the Theil-Sen estimator (the median of the
pairwise slopes), which a few odd frames, or one odd slice, cannot tilt. The window's two
halves must slope the same way for a rise or fall to count; the later half sets the pace.
`bench/trend_bench.py` measures the warning's lead and its false alarms.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from monitor.config.thresholds import LevelConfig
from monitor.config.trend import TrendConfig

SLICES = 6
MIN_SLICES = 3  # fewer would let one slice decide the slope
# Readings must span this share of the window: a site just started, or back after a gap,
# has too short a history to say where it is heading.
MIN_SPAN_SHARE = 0.5


class Direction(StrEnum):
    RISING = "rising"
    FALLING = "falling"
    STEADY = "steady"


@dataclass(frozen=True, slots=True)
class Trend:
    direction: Direction
    rate_per_min: float  # metric units per minute
    value: float  # the metric now, smoothed: the later half's line at the latest reading
    next_level: LevelConfig | None  # the level above the current one; None at the top
    eta_s: float | None  # when next_level's enter is reached at the recent pace, within horizon


class TrendWindow:
    """A site's (capture time, value) pairs over the last `window_s`. One per site loop."""

    def __init__(self, window_s: float) -> None:
        if not window_s > 0:
            raise ValueError(f"window_s must be positive, got {window_s}")
        self._window_s = window_s
        self._times: deque[float] = deque()
        self._values: deque[float] = deque()

    @property
    def window_s(self) -> float:
        return self._window_s

    def add(self, at: float, value: float) -> None:
        if self._times and at < self._times[-1]:
            # A source restarted with an earlier clock: the old history says nothing now.
            self._times.clear()
            self._values.clear()
        self._times.append(at)
        self._values.append(value)
        while self._times[0] < at - self._window_s:
            self._times.popleft()
            self._values.popleft()

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        size = len(self._times)
        return (
            np.fromiter(self._times, dtype=np.float64, count=size),
            np.fromiter(self._values, dtype=np.float64, count=size),
        )


def estimate_trend(
    times: np.ndarray,
    values: np.ndarray,
    levels: Sequence[LevelConfig],
    level: str,
    config: TrendConfig,
) -> Trend | None:
    """The trend of `values` (capture `times`, ascending) against `levels`, the site being at
    `level` now ('normal' below them all). None while the readings are too few or too short."""
    if len(times) != len(values):
        raise ValueError(f"{len(times)} times but {len(values)} values")
    if not levels:
        raise ValueError("no levels to project onto")
    if len(times) < MIN_SLICES or times[-1] - times[0] < MIN_SPAN_SHARE * config.window_s:
        return None
    points = _slice_medians(times, values, times[-1] - config.window_s, config.window_s)
    if len(points) < MIN_SLICES:
        return None
    slope = _theil_sen(points)  # units per second
    upcoming = _next_level(levels, level)
    reference = (upcoming or levels[-1]).enter
    change = slope * config.window_s
    # Both halves of the window must head the same way. A crossing's signal cycle pulses
    # the crowd: over a window about one cycle long the fitted line tilts with the cycle's
    # phase, while its two halves slope against each other.
    halves = len(points) // 2
    earlier, later = _theil_sen(points[: halves + 1]), _theil_sen(points[halves:])
    # The later half's line at the latest reading (Theil-Sen's intercept, the median
    # offset): where the metric is now, a surge's latest steps included.
    value = _median(sorted(v - later * (t - times[-1]) for t, v in points[halves:]))
    if change >= config.min_rise * reference and change > 0 and min(earlier, later) > 0:
        direction = Direction.RISING
    elif change <= -config.min_rise * reference and change < 0 and max(earlier, later) < 0:
        direction = Direction.FALLING
    else:
        direction = Direction.STEADY
    eta_s = None
    if upcoming is not None:
        if value >= upcoming.enter:
            eta_s = 0.0  # there already; the level waits for its minimum duration
        elif direction is Direction.RISING:
            # At the later half's pace: a surge that speeds up is seen sooner, and a pulse
            # that is already turning does not reach a level on its earlier steepness.
            eta = (upcoming.enter - value) / later
            eta_s = eta if eta <= config.horizon_s else None
    return Trend(
        direction=direction,
        rate_per_min=slope * 60.0,
        value=value,
        next_level=upcoming,
        eta_s=eta_s,
    )


def _slice_medians(
    times: np.ndarray, values: np.ndarray, start: float, window_s: float
) -> list[tuple[float, float]]:
    # Times ascend, so each slice is a run found by bisection, and its median time is its
    # middle element; sorting a few dozen values in Python beats numpy's per-call overhead.
    edges = start + window_s * np.arange(SLICES + 1) / SLICES
    bounds = np.searchsorted(times, edges, side="left").tolist()
    bounds[-1] = len(times)  # the last slice ends with the latest reading
    points = []
    for lo, hi in itertools.pairwise(bounds):
        if hi > lo:
            points.append((_median(times[lo:hi].tolist()), _median(sorted(values[lo:hi].tolist()))))
    return points


def _median(ordered: list[float]) -> float:
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _theil_sen(points: list[tuple[float, float]]) -> float:
    slopes = [
        (v2 - v1) / (t2 - t1)
        for i, (t1, v1) in enumerate(points)
        for t2, v2 in points[i + 1 :]
        if t2 > t1
    ]
    return _median(sorted(slopes)) if slopes else 0.0


def _next_level(levels: Sequence[LevelConfig], level: str) -> LevelConfig | None:
    names = [candidate.name for candidate in levels]
    # 'normal', or a level a schedule has since replaced: the lowest level is next.
    position = names.index(level) if level in names else -1
    return levels[position + 1] if position + 1 < len(levels) else None
