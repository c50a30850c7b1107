"""Which trend forecasts are worth telling anyone about: pure, no I/O, no clock.

The live trend (monitor/alerts/trend.py) says when a rising crowd will reach the next
level at its recent pace. A platform that needs three minutes to arrive is only in time if
it leaves before the alert: a forecast inside `within_s` is announced once per site and
level, and again only after `cooldown_s`, so a crowd hovering near a level pages once.
"""

from __future__ import annotations

from monitor.bus.messages import TrendPublic
from monitor.notify.cooldown import Cooldown
from monitor.notify.events import ForecastPublic


class ForecastWatch:
    def __init__(self, within_s: float, cooldown_s: float) -> None:
        if within_s <= 0 or cooldown_s < 0:
            raise ValueError(f"need within_s > 0 and cooldown_s >= 0, got {within_s}, {cooldown_s}")
        self._within_s = within_s
        self._cooldown = Cooldown(cooldown_s)

    def observe(
        self, site_id: str, level: str, trend: TrendPublic | None, at: float
    ) -> ForecastPublic | None:
        """Takes one reading's trend; returns the forecast to announce now, if any."""
        if trend is None or trend.direction != "rising":
            return None
        if trend.next_level is None or trend.eta_s is None or trend.eta_s > self._within_s:
            return None
        if not self._cooldown.allow((site_id, trend.next_level), at):
            return None
        return ForecastPublic(
            level=trend.next_level,
            eta_s=trend.eta_s,
            value=trend.value,
            rate_per_min=trend.rate_per_min,
            current_level=level,
        )
