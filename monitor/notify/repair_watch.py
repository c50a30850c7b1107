"""Which acknowledged camera faults have outlived the time the camera was expected back:
pure, no I/O, no clock.

An acknowledgement with `expected_back` is a promise (a booked repair). When the time
passes and the same fault is still there, the duty group is reminded once. Only the faults
the server itself sees are judged: a camera offline or not connecting, by its status and
since when. A stalled stream or a poor picture is judged by the live page (it lists them as
overdue), not reminded of here.
"""

from __future__ import annotations

from collections.abc import Callable

from monitor.bus.messages import FaultAckPublic

# A site's status and since when, as the runtime reports them; None for an unknown site.
SiteState = tuple[str, float | None]
JUDGED_KINDS = frozenset({"offline", "starting"})
# The page names an episode by the `since` it was sent: the same float, give or take
# its trip through JSON.
SAME_EPISODE_S = 1e-3


class RepairWatch:
    def __init__(self) -> None:
        self._promised: dict[str, FaultAckPublic] = {}  # site → its latest, with a time

    def acknowledged(self, ack: FaultAckPublic) -> None:
        """Takes a site's latest acknowledgement: it replaces any earlier one."""
        if ack.expected_back is None or ack.kind not in JUDGED_KINDS:
            self._promised.pop(ack.site_id, None)
        else:
            self._promised[ack.site_id] = ack

    def next_due(self) -> float | None:
        times = [ack.expected_back for ack in self._promised.values()]
        return min((t for t in times if t is not None), default=None)

    def due(self, now: float, state_of: Callable[[str], SiteState | None]) -> list[FaultAckPublic]:
        """The acknowledgements whose time has come with their fault still there; each is
        given once, and one whose fault has ended is dropped."""
        overdue = []
        for site_id, ack in list(self._promised.items()):
            assert ack.expected_back is not None
            if ack.expected_back > now:
                continue
            del self._promised[site_id]
            state = state_of(site_id)
            if state is None:
                continue
            status, since = state
            if status == ack.kind and since is not None and abs(since - ack.since) < SAME_EPISODE_S:
                overdue.append(ack)
        return overdue
