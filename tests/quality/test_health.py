from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from monitor.quality.health import (
    CameraHealth,
    HealthTally,
    PictureMark,
    PoorStretch,
    StateTimes,
    reading_hold_s,
)
from monitor.quality.outages import RecordedStatus, StatusSpan
from monitor.quality.verdict import QualityIssue

NOISE = QualityIssue.NOISE
DETAIL = QualityIssue.DETAIL_LOSS
BLOCKING = QualityIssue.BLOCKING
BLANK = QualityIssue.BLANK


def good(at: float) -> PictureMark:
    return PictureMark(at=at, issues=())


def poor(at: float, *issues: QualityIssue) -> PictureMark:
    return PictureMark(at=at, issues=issues or (NOISE,))


def unassessed(at: float) -> PictureMark:
    return PictureMark(at=at, issues=None)


def tally(
    marks: list[PictureMark],
    since: float = 0.0,
    until: float = 100.0,
    *,
    hold_s: float = 5.0,
    bins: int = 1,
    keep_latest: int = 10,
    status: list[StatusSpan] | None = None,
) -> CameraHealth:
    health = HealthTally(
        since, until, hold_s=hold_s, bins=bins, keep_latest=keep_latest, status=status or ()
    )
    return health.add_all(marks).finish()


def seconds(times: StateTimes) -> tuple[float, float, float, float]:
    """The states a tally without status knows."""
    return (times.good_s, times.poor_s, times.unassessed_s, times.dark_s)


def every_state(times: StateTimes) -> list[float]:
    return [getattr(times, name) for name in StateTimes.__slots__]


@pytest.mark.parametrize(
    ("analysis_fps", "hold_s"),
    [
        pytest.param(2.0, 5.0, id="the-default-rate-holds-the-floor"),
        pytest.param(30.0, 5.0, id="fast-rates-hold-the-floor"),
        pytest.param(0.5, 8.0, id="slow-rates-hold-four-intervals"),
    ],
)
def test_reading_hold(analysis_fps: float, hold_s: float) -> None:
    assert reading_hold_s(analysis_fps) == hold_s


def test_reading_hold_refuses_a_rate_of_zero() -> None:
    with pytest.raises(ValueError, match="analysis_fps"):
        reading_hold_s(0.0)


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        pytest.param([], (0, 0, 0, 100), id="no-readings-all-dark"),
        pytest.param([good(t) for t in range(100)], (100, 0, 0, 0), id="steady-good"),
        pytest.param(
            [good(t) for t in range(50)] + [poor(t) for t in range(50, 100)],
            (50, 50, 0, 0),
            id="half-poor",
        ),
        pytest.param(
            [good(0), good(1), good(60)],
            (1 + 5 + 5, 0, 0, 100 - 11),
            id="a-gap-past-the-hold-is-dark",
        ),
        pytest.param(
            [good(t) for t in range(0, 100, 4)],
            (100, 0, 0, 0),
            id="readings-within-the-hold-cover-it-all",
        ),
        pytest.param(
            [unassessed(t) for t in range(100)], (0, 0, 100, 0), id="check-off-is-unassessed"
        ),
        pytest.param([good(90)], (5, 0, 0, 95), id="the-last-reading-holds-then-dark"),
        pytest.param([good(98)], (2, 0, 0, 98), id="the-hold-stops-at-until"),
        pytest.param([good(-3)], (2, 0, 0, 98), id="an-earlier-reading-covers-the-start"),
        pytest.param([good(-10)], (0, 0, 0, 100), id="a-reading-held-out-before-since"),
        pytest.param([poor(120)], (0, 0, 0, 100), id="a-reading-after-until"),
    ],
)
def test_time_per_state(
    marks: list[PictureMark], expected: tuple[float, float, float, float]
) -> None:
    assert seconds(tally(marks).times) == pytest.approx(expected)


def span(start: float, end: float, status: RecordedStatus, reason: str = "") -> StatusSpan:
    return StatusSpan(start, end, status, reason)


@pytest.mark.parametrize(
    ("marks", "status", "expected"),
    [
        pytest.param([], [span(0, 100, "offline", "gone")], (0, 100, 0, 0), id="offline-all-along"),
        pytest.param(
            [good(t) for t in range(10)] + [good(t) for t in range(60, 100)],
            [span(0, 20, "online"), span(20, 50, "offline"), span(50, 100, "online")],
            (54, 30, 0, 16),
            id="no-picture-while-online-stays-dark",
        ),
        pytest.param(
            [good(t) for t in range(30)],
            [span(0, 25, "online"), span(25, 100, "offline")],
            (34, 66, 0, 0),
            id="the-last-readings-hold-covers-the-outages-start",
        ),
        pytest.param(
            [good(0)],
            [span(0, 10, "online"), span(10, 40, "stopped"), span(40, 100, "starting")],
            (5, 0, 30, 65),
            id="stopped-then-starting",
        ),
        pytest.param(
            [],
            [span(50, 100, "stopped")],
            (0, 0, 50, 50),
            id="before-any-status-is-dark",
        ),
        pytest.param(
            [good(10), good(80)],
            [span(0, 100, "offline")],
            (10, 90, 0, 0),
            id="a-reading-outranks-the-status",
        ),
    ],
)
def test_the_status_explains_time_without_a_picture(
    marks: list[PictureMark],
    status: list[StatusSpan],
    expected: tuple[float, float, float, float],
) -> None:
    """`expected`: good, offline, stopped and dark seconds of [0, 100)."""
    times = tally(marks, status=status).times
    got = (times.good_s, times.offline_s, times.stopped_s, times.dark_s)
    assert got == pytest.approx(expected)


def test_the_status_splits_across_bins() -> None:
    health = tally(
        [good(t) for t in range(0, 20)],
        status=[span(0, 30, "online"), span(30, 70, "offline"), span(70, 100, "stopped")],
        bins=4,
    )
    assert [(b.times.offline_s, b.times.stopped_s, b.times.dark_s) for b in health.bins] == [
        (0, 0, 1),
        (20, 0, 5),
        (20, 5, 0),
        (0, 25, 0),
    ]


def test_time_per_issue_counts_a_reading_for_each_of_its_issues() -> None:
    marks = [poor(0, NOISE, BLOCKING), poor(10, DETAIL), good(30)]
    health = tally(marks, until=40)
    assert health.issue_s == {
        BLANK: 0.0,
        NOISE: 5.0,
        DETAIL: 5.0,
        BLOCKING: 5.0,
        QualityIssue.VIEW_MOVED: 0.0,
    }
    assert health.times.poor_s == 10.0


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        pytest.param(
            [good(0), poor(1, NOISE), poor(2, BLOCKING), good(3)],
            [PoorStretch(1, 3, (NOISE, BLOCKING))],
            id="adjacent-poor-readings-merge-their-issues",
        ),
        pytest.param(
            [poor(0), poor(20), good(22)],
            [PoorStretch(0, 5, (NOISE,)), PoorStretch(20, 22, (NOISE,))],
            id="a-dark-gap-splits-a-stretch",
        ),
        pytest.param(
            [poor(0), unassessed(1), poor(2), good(3)],
            [PoorStretch(0, 1, (NOISE,)), PoorStretch(2, 3, (NOISE,))],
            id="an-unassessed-reading-ends-a-stretch",
        ),
        pytest.param(
            [good(0), poor(97, BLANK)],
            [PoorStretch(97, 100, (BLANK,))],
            id="a-stretch-still-open-ends-at-until",
        ),
    ],
)
def test_poor_stretches(marks: list[PictureMark], expected: list[PoorStretch]) -> None:
    health = tally(marks)
    assert list(health.latest) == expected
    assert health.stretch_count == len(expected)


def test_keeps_the_latest_stretches_and_the_longest() -> None:
    # Stretches of 1, 3, 1, 1, 1 s, each ended by a good reading.
    marks = [poor(0), good(1), poor(10), good(13), poor(20), good(21)]
    marks += [poor(30), good(31), poor(40), good(41)]
    health = tally(marks, keep_latest=2)
    assert health.stretch_count == 5
    assert health.longest == PoorStretch(10, 13, (NOISE,))
    assert [s.start for s in health.latest] == [30, 40]


def test_no_stretch_when_the_picture_was_never_poor() -> None:
    health = tally([good(t) for t in range(100)])
    assert health.longest is None
    assert health.latest == ()
    assert health.stretch_count == 0


def test_bins_split_time_at_their_edges() -> None:
    # Poor from 5 to 25 across bins [0, 10), [10, 20), [20, 30); dark after 30.
    marks = [good(0), poor(5), poor(10), poor(15), poor(20), good(25), good(29)]
    health = tally(marks, until=40, bins=4)
    assert [(b.start, b.end) for b in health.bins] == [(0, 10), (10, 20), (20, 30), (30, 40)]
    assert [seconds(b.times) for b in health.bins] == [
        pytest.approx((5, 5, 0, 0)),
        pytest.approx((0, 10, 0, 0)),
        pytest.approx((5, 5, 0, 0)),
        pytest.approx((4, 0, 0, 6)),
    ]


def test_bins_and_totals_add_up_to_the_span() -> None:
    rng = np.random.default_rng(7)
    times = np.sort(rng.uniform(-10, 1010, size=400))
    choices = [(), (NOISE,), (DETAIL, BLOCKING), None]
    marks = [PictureMark(float(t), choices[rng.integers(4)]) for t in times]
    edges = np.sort(rng.uniform(-10, 1010, size=30))
    statuses: list[RecordedStatus] = ["online", "offline", "stopped", "starting"]
    status = [
        span(float(a), float(b), statuses[rng.integers(4)])
        for a, b in itertools.pairwise([0.0, *np.clip(edges, 0, 1000), 1000.0])
        if b > a
    ]
    health = tally(marks, since=0.0, until=1000.0, hold_s=7.0, bins=7, status=status)
    assert health.times.offline_s > 0
    assert health.times.stopped_s > 0
    assert sum(every_state(health.times)) == pytest.approx(1000.0)
    for bin_ in health.bins:
        assert sum(every_state(bin_.times)) == pytest.approx(bin_.end - bin_.start)
        assert min(every_state(bin_.times)) >= 0.0
    total_per_bin = [sum(getattr(b.times, f) for b in health.bins) for f in StateTimes.__slots__]
    assert total_per_bin == pytest.approx(every_state(health.times))
    assert health.bins[-1].end == 1000.0
    assert all(math.isclose(a.end, b.start) for a, b in itertools.pairwise(health.bins))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"since": 10.0, "until": 10.0}, "until", id="empty-span"),
        pytest.param({"hold_s": 0.0}, "hold_s", id="no-hold"),
        pytest.param({"bins": 0}, "bins", id="no-bins"),
        pytest.param({"keep_latest": -1}, "keep_latest", id="negative-keep"),
    ],
)
def test_refuses_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    arguments: dict[str, float] = {"since": 0.0, "until": 100.0, "hold_s": 5.0} | kwargs
    since, until = arguments.pop("since"), arguments.pop("until")
    with pytest.raises(ValueError, match=message):
        HealthTally(since, until, **arguments)  # type: ignore[arg-type]


def test_refuses_marks_out_of_order() -> None:
    health = HealthTally(0.0, 100.0, hold_s=5.0)
    health.add(good(10))
    with pytest.raises(ValueError, match="out of order"):
        health.add(good(9))


def test_a_finished_tally_takes_nothing_more() -> None:
    health = HealthTally(0.0, 100.0, hold_s=5.0)
    health.finish()
    with pytest.raises(RuntimeError, match="finished"):
        health.add(good(1))
    with pytest.raises(RuntimeError, match="finished"):
        health.finish()
