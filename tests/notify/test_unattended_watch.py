"""Camera faults still nobody's, reminded of round by round: timelines judged minute by
minute."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from monitor.bus.messages import FaultAckPublic
from monitor.faults.camera import CameraFault
from monitor.notify.unattended_watch import UnattendedWatch

EVERY_S = 3600.0
SITE = "wuyi-square"
H = 3600.0
DARK = CameraFault("offline", "bad", 0.0, reason="stream ended")
DARK_AGAIN = CameraFault("offline", "bad", 5 * H, reason="stream ended")
GRAINY = CameraFault("picture", "warn", 0.0, issues=("noise",))
NO_START = CameraFault("offline", "bad", None, reason="never connected")


def ack(fault: CameraFault, at: float, expected_back: float | None = None) -> FaultAckPublic:
    assert fault.since is not None
    return FaultAckPublic(
        site_id=SITE,
        kind=fault.kind,
        since=fault.since,
        at=at,
        by="li",
        note="ticket 4711",
        expected_back=expected_back,
    )


@dataclass(frozen=True)
class Case:
    name: str
    # From each time on (seconds), the site's fault (None: fine) and its latest ack.
    timeline: list[tuple[float, CameraFault | None, FaultAckPublic | None]]
    until: float
    # What was reminded: (minute, round, whether it names a lapsed acknowledgement).
    expected: list[tuple[float, int, bool]]


CASES = [
    Case("shorter than a round: nothing", [(0, DARK, None), (H - 60, None, None)], 2 * H, []),
    Case(
        "each round once, while it lasts",
        [(0, DARK, None)],
        3 * H + 600,
        [(H, 1, False), (2 * H, 2, False), (3 * H, 3, False)],
    ),
    Case(
        "an Ack silences it",
        [(0, DARK, None), (H + 60, DARK, ack(DARK, H + 60))],
        4 * H,
        [(H, 1, False)],
    ),
    Case(
        "an Ack of an earlier episode does not",
        [(0, DARK_AGAIN, ack(DARK, 60))],
        7 * H,
        [(6 * H, 1, False), (7 * H, 2, False)],
    ),
    Case(
        "a lapsed Ack: the next round, naming it; the rounds in hand are not made up for",
        [(0, DARK, None), (1800, DARK, ack(DARK, 1800, expected_back=2.5 * H))],
        4 * H,
        [(3 * H, 3, True), (4 * H, 4, True)],
    ),
    Case(
        "a poor picture all night too",
        [(0, GRAINY, None), (2 * H + 60, None, None)],
        8 * H,
        [(H, 1, False), (2 * H, 2, False)],
    ),
    Case(
        "a fault that ended and came back starts over",
        [(0, DARK, None), (H + 60, None, None), (5 * H, DARK_AGAIN, None)],
        7 * H,
        [(H, 1, False), (6 * H, 1, False), (7 * H, 2, False)],
    ),
    Case("a fault without a start is not counted", [(0, NO_START, None)], 5 * H, []),
]


def run(case: Case) -> list[tuple[float, int, bool]]:
    watch = UnattendedWatch(EVERY_S)
    said = []
    changes = {t: (fault, latest) for t, fault, latest in case.timeline}
    fault, latest = None, None
    for minute in range(int(case.until // 60) + 1):
        now = minute * 60.0
        fault, latest = changes.get(now, (fault, latest))
        faults = {} if fault is None else {SITE: fault}
        acks = {} if latest is None else {SITE: latest}
        for site_id, reminder in watch.observe(faults, acks, now):
            assert site_id == SITE
            said.append((now, reminder.round, reminder.lapsed_ack is not None))
    return said


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_fault_nobodys_is_reminded_of_each_round(case: Case) -> None:
    assert run(case) == case.expected


def test_a_reminder_says_what_since_when_and_for_how_long() -> None:
    watch = UnattendedWatch(EVERY_S)
    lapsed = ack(DARK, 60.0, expected_back=600.0)
    [(site_id, reminder)] = watch.observe({SITE: DARK}, {SITE: lapsed}, H + 30)
    assert site_id == SITE
    assert reminder.model_dump() == {
        "kind": "offline",
        "severity": "bad",
        "since": 0.0,
        "lasted_s": H + 30,
        "round": 1,
        "reason": "stream ended",
        "issues": [],
        "lapsed_ack": lapsed.model_dump(),
    }


def test_a_fault_first_seen_late_is_reminded_of_at_once_but_once() -> None:
    """After a restart, a camera dark for five hours: its fifth round, not all five."""
    watch = UnattendedWatch(EVERY_S)
    rounds = [r.round for _, r in watch.observe({SITE: DARK}, {}, 5 * H + 10)]
    assert rounds == [5]
    assert watch.observe({SITE: DARK}, {}, 5 * H + 70) == []


@pytest.mark.parametrize("every_s", [0.0, -1.0], ids=["zero", "negative"])
def test_a_round_must_take_time(every_s: float) -> None:
    with pytest.raises(ValueError, match="every_s must be > 0"):
        UnattendedWatch(every_s)
