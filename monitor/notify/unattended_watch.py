"""Which camera faults nobody has taken in hand are worth a reminder: pure, no I/O, no clock.

camera_offline and camera_fault are sent once, when a fault has lasted a minute or two. At
3 a.m. that message scrolls away in a busy group chat, and a camera can stay dark, or grainy
behind a broken street light, until the morning shift notices. So a fault nobody has taken
in hand (no Ack, or one whose repair is overdue: monitor/faults/camera.py, as the live page
and /metrics judge it) is reminded of each time it has lasted another `every_s`. An Ack
silences it; the rounds that pass while it is in force are not made up for when it lapses
(repair_overdue tells of that moment), the next comes at the next round.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from monitor.bus.messages import FaultAckPublic, FaultKind
from monitor.faults.camera import CameraFault, ack_in_force, ack_overdue
from monitor.notify.events import FaultReminder

# The site and the reminder of its fault.
Reminder = tuple[str, FaultReminder]

# A fault episode: its site, its kind and when it began.
_Episode = tuple[str, FaultKind, float]


class UnattendedWatch:
    def __init__(self, every_s: float) -> None:
        if not every_s > 0:
            raise ValueError(f"every_s must be > 0, got {every_s}")
        self._every_s = every_s
        self._rounds: dict[_Episode, int] = {}  # the last round told, or passed while in hand

    def observe(
        self,
        faults: Mapping[str, CameraFault],
        acks: Mapping[str, FaultAckPublic],
        now: float,
    ) -> list[Reminder]:
        """Takes every site's fault now (sites without one left out) and each site's latest
        acknowledgement; returns the reminders due."""
        current: set[_Episode] = set()
        reminders: list[Reminder] = []
        for site_id, fault in faults.items():
            if fault.since is None:
                continue  # no start to count from (a site that never changed state)
            episode = (site_id, fault.kind, fault.since)
            current.add(episode)
            lasted = now - fault.since
            round_now = math.floor(lasted / self._every_s)
            if round_now <= self._rounds.get(episode, 0):
                continue
            self._rounds[episode] = round_now
            ack = acks.get(site_id)
            if ack_in_force(fault, ack, now):
                continue
            lapsed = ack if ack_overdue(fault, ack, now) else None
            reminder = FaultReminder(
                kind=fault.kind,
                severity=fault.severity,
                since=fault.since,
                lasted_s=lasted,
                round=round_now,
                reason=fault.reason,
                issues=list(fault.issues),
                lapsed_ack=lapsed,
            )
            reminders.append((site_id, reminder))
        # An episode that ended is forgotten: the same camera failing again starts over.
        for episode in self._rounds.keys() - current:
            del self._rounds[episode]
        return reminders
