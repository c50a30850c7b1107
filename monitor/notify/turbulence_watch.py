"""Which turbulent crowds are worth telling anyone about: pure, no I/O, no clock.

A reading's motion is turbulent while the site's crowd pressure (its median over a few
seconds, monitor/motion/window.py) is at or above the site's limit. An episode runs from the
first turbulent reading to the first calm one; a reading without motion (a gap, a blank
picture) says nothing either way. Each episode is told once, and a new one at the same site
only `cooldown_s` after the last one told: a crowd on the edge of the limit pages once.
"""

from __future__ import annotations

from monitor.bus.messages import ReadingPayload
from monitor.notify.cooldown import Cooldown
from monitor.notify.events import TurbulencePublic


class TurbulenceWatch:
    def __init__(self, cooldown_s: float) -> None:
        self._cooldown = Cooldown(cooldown_s)
        self._in_episode: set[str] = set()

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
        if not self._cooldown.allow(site_id, reading.captured_at):
            return None
        return TurbulencePublic(
            pressure=motion.pressure,
            speed_m_s=motion.speed_m_s,
            peak_density=reading.peak_density,
            count=reading.count,
        )
