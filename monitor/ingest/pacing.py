"""Play a file at its native rate, the way a live camera would deliver it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Pacer:
    """Fixed-rate ticks against a monotonic clock.

    Deadlines advance by whole periods from the start rather than from each wake-up, so
    decode time and scheduler jitter do not accumulate into drift. After a long stall
    (slow disk, suspended process) the schedule restarts from now instead of replaying the
    missed frames in a burst, which a live camera would never do either.
    """

    def __init__(
        self,
        period_s: float,
        *,
        max_lag_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if period_s <= 0:
            raise ValueError(f"period must be positive, got {period_s}")
        self.period_s = period_s
        self._max_lag_s = max_lag_s
        self._clock = clock
        self._due = clock()

    def wait(self, stop: threading.Event) -> bool:
        """Sleeps until the next tick is due; True if `stop` was set meanwhile."""
        delay = self._due - self._clock()
        return stop.wait(delay) if delay > 0 else stop.is_set()

    def tick(self) -> None:
        """Marks the current tick done and schedules the next."""
        self._due += self.period_s
        now = self._clock()
        if now - self._due > self._max_lag_s:
            self._due = now
