"""Stalled streams and poor pictures worth telling of: timelines judged second by second."""

from __future__ import annotations

import pytest

from monitor.faults.camera import CameraFault
from monitor.notify.fault_watch import FaultWatch

AFTER_S = 60.0
SITE = "wuyi-square"
GRAINY = CameraFault("picture", "warn", 100.0, issues=("noise",))
BLANK = CameraFault("picture", "bad", 400.0, issues=("blank",))
STALLED = CameraFault("stalled", "bad", 100.0)
OFFLINE = CameraFault("offline", "bad", 100.0, reason="stream ended")

# A timeline: from each second on, the site's fault (None: fine), until the next entry.
Timeline = list[tuple[float, CameraFault | None]]


def run(timeline: Timeline, until: float) -> list[tuple[float, str, str, str | None]]:
    """What was announced, second by second: (when, began or ended, kind, fault_now)."""
    watch = FaultWatch(AFTER_S)
    said: list[tuple[float, str, str, str | None]] = []
    changes = dict(timeline)
    fault: CameraFault | None = None
    for second in range(int(timeline[0][0]), int(until) + 1):
        fault = changes.get(float(second), fault)
        faults = {} if fault is None else {SITE: fault}
        for site_id, change in watch.observe(faults, float(second)):
            assert site_id == SITE
            said.append((float(second), change.state, change.kind, change.fault_now))
    return said


@pytest.mark.parametrize(
    ("timeline", "until", "expected"),
    [
        pytest.param([(100, GRAINY), (150, None)], 400, [], id="shorter-than-the-limit"),
        pytest.param(
            [(100, GRAINY), (200, None)],
            400,
            [(160, "began", "picture", None), (260, "ended", "picture", None)],
            id="lasted-then-ended",
        ),
        pytest.param(
            # Flickering on the edge of the limit at dusk: one fault, told once.
            [(100, GRAINY), (200, None), (230, GRAINY), (250, None), (280, GRAINY), (300, None)],
            500,
            [(160, "began", "picture", None), (360, "ended", "picture", None)],
            id="flickering-is-one-fault",
        ),
        pytest.param(
            [(100, STALLED), (170, None)],
            400,
            [(160, "began", "stalled", None), (230, "ended", "stalled", None)],
            id="stalled",
        ),
        pytest.param(
            # A grainy camera is then covered: the blank picture is news of its own.
            [(100, GRAINY), (400, BLANK)],
            600,
            [
                (160, "began", "picture", None),
                (460, "began", "picture", None),
                (460, "ended", "picture", "picture"),
            ],
            id="grainy-then-covered",
        ),
        pytest.param(
            # The camera fails: camera_offline tells of that; the picture's fault ends.
            [(100, GRAINY), (200, OFFLINE)],
            400,
            [(160, "began", "picture", None), (260, "ended", "picture", "offline")],
            id="replaced-by-an-outage",
        ),
        pytest.param([(100, OFFLINE)], 400, [], id="outages-are-not-this-watchs"),
    ],
)
def test_a_fault_is_told_once_it_lasted_and_its_end_once_it_stayed_away(
    timeline: Timeline, until: float, expected: list[tuple[float, str, str, str | None]]
) -> None:
    found = run(timeline, until)
    # Within one second the order of two sites' or two faults' news is not the point.
    assert sorted(found) == sorted(expected)


def test_what_is_told_says_since_when_how_long_and_what_was_wrong() -> None:
    watch = FaultWatch(AFTER_S)
    assert watch.observe({SITE: GRAINY}, 130.0) == []
    two = CameraFault("picture", "warn", 150.0, issues=("noise", "blocking"))
    [(_, began)] = watch.observe({SITE: two}, 170.0)
    # The fault began when the site's picture first went poor, not when this watch first saw
    # it; its issues are the latest.
    assert (began.since, began.lasted_s, began.issues) == (100.0, 70.0, ["noise", "blocking"])
    watch.observe({}, 180.0)
    [(_, ended)] = watch.observe({}, 240.0)
    assert (ended.state, ended.since, ended.lasted_s) == ("ended", 100.0, 80.0)


def test_a_fault_older_than_the_limit_when_first_seen_is_told_at_once() -> None:
    watch = FaultWatch(AFTER_S)
    [(site_id, began)] = watch.observe({SITE: STALLED, "pozi": OFFLINE}, 500.0)
    assert (site_id, began.kind, began.lasted_s) == (SITE, "stalled", 400.0)


def test_a_negative_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="after_s must be >= 0"):
        FaultWatch(-1)
