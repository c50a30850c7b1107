"""Which camera outages are worth telling anyone about: pure, no I/O, no clock.

An RTSP stream that drops and reconnects within seconds is routine; paging the maintenance
desk for it teaches them to ignore the pager. An outage is announced once it has lasted
`offline_after_s`, and its end only if its start was announced.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.notify.events import CameraChange

# The site and what to announce about its camera.
Announcement = tuple[str, CameraChange]


@dataclass(slots=True)
class _Outage:
    since: float
    reason: str
    announced: bool = False


class CameraWatch:
    def __init__(self, offline_after_s: float) -> None:
        if offline_after_s < 0:
            raise ValueError(f"offline_after_s must be >= 0, got {offline_after_s}")
        self._after_s = offline_after_s
        self._outages: dict[str, _Outage] = {}

    def observe(self, site_id: str, status: str, reason: str, at: float) -> list[Announcement]:
        """Takes one status of a site; returns what is to be announced now.

        `starting` (a reconnect attempt) neither begins nor ends an outage: a camera that
        keeps failing to connect goes offline, starting, offline... and is down throughout.
        """
        outage = self._outages.get(site_id)
        if status == "offline":
            if outage is None:
                self._outages[site_id] = _Outage(at, reason)
            else:
                outage.reason = reason or outage.reason
            return self.due(at, only=site_id)
        if status == "online" and outage is not None:
            del self._outages[site_id]
            if outage.announced:
                back = CameraChange(
                    status="online",
                    reason=outage.reason,
                    offline_since=outage.since,
                    offline_s=max(0.0, at - outage.since),
                )
                return [(site_id, back)]
        return []

    def due(self, now: float, only: str | None = None) -> list[Announcement]:
        """Outages that have now lasted long enough, each announced once."""
        changes: list[Announcement] = []
        for site_id, outage in self._outages.items():
            if outage.announced or (only is not None and site_id != only):
                continue
            if now - outage.since >= self._after_s:
                outage.announced = True
                down = CameraChange(
                    status="offline",
                    reason=outage.reason,
                    offline_since=outage.since,
                    offline_s=now - outage.since,
                )
                changes.append((site_id, down))
        return changes

    def next_due(self) -> float | None:
        """When the next unannounced outage becomes due; None when none is waiting."""
        waiting = [o.since + self._after_s for o in self._outages.values() if not o.announced]
        return min(waiting, default=None)
