"""A site's crowd pressure over the last few seconds: pure, on the frames' own clock.

One pair of frames' pressure is noisy (a person turning, the flow slipping on a plain
patch), and a turbulence flag that blinks twice a second helps no one. Helbing's variance is
taken over time as well as space; the median over a few seconds is its robust form here.
"""

from __future__ import annotations

import collections
import statistics

from monitor.motion.measure import Motion, MotionSample


class MotionWindow:
    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._pressures: collections.deque[tuple[float, float]] = collections.deque()

    def add(self, at: float, sample: MotionSample, pressure_limit: float) -> Motion:
        """The reading's motion: this frame's speed, the window's median pressure."""
        self._pressures.append((at, sample.pressure))
        # The window is (at - window_s, at]; this frame always counts.
        while len(self._pressures) > 1 and self._pressures[0][0] <= at - self.window_s:
            self._pressures.popleft()
        pressure = statistics.median(p for _, p in self._pressures)
        return Motion(sample.speed_m_s, pressure, pressure >= pressure_limit)

    def clear(self) -> None:
        """After a gap: the pressure before it says nothing of the crowd now."""
        self._pressures.clear()
