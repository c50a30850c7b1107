"""Which turbulent crowds are worth telling anyone about: pure, no I/O, no clock.

A reading's motion is turbulent while the site's crowd pressure (its median over a few
seconds, monitor/motion/window.py) is at or above the site's limit. An episode runs from the
first turbulent reading to the first calm one; a reading without motion (a gap, a blank
picture) says nothing either way. Each episode is told once, and a new one at the same site
only `cooldown_s` after the last one told: a crowd on the edge of the limit pages once.
"""

from __future__ import annotations

from monitor.bus.messages import ReadingPayload
from monitor.notify.events import TurbulencePublic


class TurbulenceWatch:
    def __init__(self, cooldown_s: float) -> None:
        if cooldown_s < 0:
            raise ValueError(f"need cooldown_s >= 0, got {cooldown_s}")
        self._cooldown_s = cooldown_s
        self._in_episode: set[str] = set()
        self._told_at: dict[str, float] = {}

    def observe(self, site_id: str, reading: ReadingPayload) -> TurbulencePublic | None:
        """Takes one reading; returns the turbulence to tell of now, if any."""
        motion = reading.motion
        if motion is None:
            return None
        if not motion.turbulent:
            self._in_episode.discard(site_id)
            return None
        if site_id in self._in_episode:
            return None
        self._in_episode.add(site_id)
        at = reading.captured_at
        last = self._told_at.get(site_id)
        if last is not None and at - last < self._cooldown_s:
            return None
        self._told_at[site_id] = at
        return TurbulencePublic(
            pressure=motion.pressure,
            speed_m_s=motion.speed_m_s,
            peak_density=reading.peak_density,
            count=reading.count,
        )
