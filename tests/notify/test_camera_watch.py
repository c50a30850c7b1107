from __future__ import annotations

import pytest

from monitor.notify.camera_watch import CameraWatch


def announced(watch: CameraWatch, steps: list[tuple[str, str, float]]) -> list[tuple[str, float]]:
    """(status, at) of every announcement over the steps; `tick` steps only ask `due`."""
    out: list[tuple[str, float]] = []
    for status, reason, at in steps:
        changes = watch.due(at) if status == "tick" else watch.observe("cam", status, reason, at)
        out += [(change.status, change.offline_since) for _, change in changes]
    return out


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        pytest.param(
            [("offline", "eof", 0), ("tick", "", 59), ("tick", "", 60), ("online", "", 90)],
            [("offline", 0), ("online", 0)],
            id="long-outage-both-ends",
        ),
        pytest.param(
            [("offline", "eof", 0), ("online", "", 30), ("tick", "", 100)],
            [],
            id="short-blip-nothing",
        ),
        pytest.param(
            # Reconnect attempts between failures: one outage, from its first failure.
            [("offline", "a", 0), ("starting", "", 20), ("offline", "b", 40), ("tick", "", 60)],
            [("offline", 0)],
            id="retries-are-one-outage",
        ),
        pytest.param(
            [("offline", "a", 0), ("tick", "", 60), ("tick", "", 120), ("offline", "b", 130)],
            [("offline", 0)],
            id="announced-once",
        ),
        pytest.param(
            [
                ("offline", "a", 0),
                ("tick", "", 61),
                ("online", "", 70),
                ("offline", "b", 80),
                ("tick", "", 141),
            ],
            [("offline", 0), ("online", 0), ("offline", 80)],
            id="second-outage-announced-again",
        ),
        pytest.param([("online", "", 0), ("starting", "", 5)], [], id="healthy-nothing"),
    ],
)
def test_announcements(
    steps: list[tuple[str, str, float]], expected: list[tuple[str, float]]
) -> None:
    assert announced(CameraWatch(offline_after_s=60), steps) == expected


def test_zero_delay_announces_at_once_with_the_latest_reason_and_durations() -> None:
    watch = CameraWatch(offline_after_s=0)
    [(site, down)] = watch.observe("cam", "offline", "connection refused", 10.0)
    assert (site, down.status, down.reason, down.offline_s) == (
        "cam",
        "offline",
        "connection refused",
        0,
    )
    assert watch.observe("cam", "offline", "timed out", 20.0) == []
    [(_, back)] = watch.observe("cam", "online", "", 70.0)
    assert (back.status, back.reason, back.offline_since, back.offline_s) == (
        "online",
        "timed out",
        10.0,
        60.0,
    )


def test_next_due_is_the_earliest_waiting_outage() -> None:
    watch = CameraWatch(offline_after_s=30)
    assert watch.next_due() is None
    watch.observe("a", "offline", "", 100.0)
    watch.observe("b", "offline", "", 50.0)
    assert watch.next_due() == 80.0
    watch.due(80.0)
    assert watch.next_due() == 130.0


def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="offline_after_s"):
        CameraWatch(-1)
