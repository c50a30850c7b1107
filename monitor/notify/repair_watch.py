"""Which acknowledged camera faults have outlived the time the camera was expected back:
pure, no I/O, no clock.

An acknowledgement with `expected_back` is a promise (a booked repair). When the time
passes and the same fault is still there, the duty group is reminded once. The fault is
judged as the live page judges it (monitor/faults/camera.py): an outage, a camera that does
not connect, a stalled stream or a poor picture.
"""

from __future__ import annotations

from collections.abc import Callable

from monitor.bus.messages import FaultAckPublic
from monitor.faults.camera import CameraFault, ack_overdue


class RepairWatch:
    def __init__(self) -> None:
        self._promised: dict[str, FaultAckPublic] = {}  # site → its latest, with a time

    def acknowledged(self, ack: FaultAckPublic) -> None:
        """Takes a site's latest acknowledgement: it replaces any earlier one."""
        if ack.expected_back is None:
            self._promised.pop(ack.site_id, None)
        else:
            self._promised[ack.site_id] = ack

    def next_due(self) -> float | None:
        times = [ack.expected_back for ack in self._promised.values()]
        return min((t for t in times if t is not None), default=None)

    def due(
        self, now: float, fault_of: Callable[[str], CameraFault | None]
    ) -> list[FaultAckPublic]:
        """The acknowledgements whose time has come with their fault still there (`fault_of`:
        a site's fault now, None for none or an unknown site); each is given once, and one
        whose fault has ended is dropped."""
        overdue = []
        for site_id, ack in list(self._promised.items()):
            assert ack.expected_back is not None
            if ack.expected_back > now:
                continue
            del self._promised[site_id]
            fault = fault_of(site_id)
            if fault is not None and ack_overdue(fault, ack, now):
                overdue.append(ack)
        return overdue
