from __future__ import annotations

import pytest

from monitor.quality.outages import (
    Outage,
    RecordedStatus,
    StatusChange,
    StatusSpan,
    status_spans,
    summarise_outages,
)


def change(at: float, status: RecordedStatus, reason: str = "") -> StatusChange:
    return StatusChange(at, status, reason)


def span(start: float, end: float, status: RecordedStatus, reason: str = "") -> StatusSpan:
    return StatusSpan(start, end, status, reason)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param([], [], id="nothing-recorded-is-unknown"),
        pytest.param(
            [change(-50, "online")], [span(0, 100, "online")], id="a-change-before-holds-on"
        ),
        pytest.param(
            [change(20, "starting"), change(21, "online")],
            [span(20, 21, "starting"), span(21, 100, "online")],
            id="before-the-first-change-is-left-out",
        ),
        pytest.param(
            [change(-5, "online"), change(40, "offline", "gone"), change(60, "online")],
            [span(0, 40, "online"), span(40, 60, "offline", "gone"), span(60, 100, "online")],
            id="an-outage",
        ),
        pytest.param(
            [change(10, "online"), change(10, "offline", "x"), change(150, "online")],
            [span(10, 100, "offline", "x")],
            id="same-instant-changes-keep-the-last-and-clip-to-until",
        ),
    ],
)
def test_status_spans(changes: list[StatusChange], expected: list[StatusSpan]) -> None:
    assert status_spans(changes, 0, 100) == expected


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param([change(5, "online"), change(4, "offline")], "out of order", id="order"),
    ],
)
def test_status_spans_refuse_bad_input(changes: list[StatusChange], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        status_spans(changes, 0, 100)


def test_status_spans_need_a_span() -> None:
    with pytest.raises(ValueError, match="after since"):
        status_spans([], 10, 10)


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        pytest.param([span(0, 100, "online")], [], id="none"),
        pytest.param(
            [span(0, 10, "online"), span(10, 30, "offline", "a"), span(30, 100, "online")],
            [Outage(10, 30, ("a",), open_ended=False)],
            id="one-that-ended",
        ),
        pytest.param(
            [
                span(0, 10, "offline", "a"),
                span(10, 20, "offline", "b"),
                span(20, 30, "offline", "a"),
            ],
            [Outage(0, 30, ("a", "b"), open_ended=True)],
            id="a-changed-reason-is-the-same-outage",
        ),
        pytest.param(
            [span(0, 10, "offline", "a"), span(10, 20, "stopped"), span(20, 30, "offline", "a")],
            [Outage(0, 10, ("a",), open_ended=True), Outage(20, 30, ("a",), open_ended=True)],
            id="a-stop-ends-it-open",
        ),
        pytest.param(
            [span(0, 10, "offline"), span(10, 20, "starting")],
            [Outage(0, 10, (), open_ended=False)],
            id="no-reason-given",
        ),
    ],
)
def test_outages(spans: list[StatusSpan], expected: list[Outage]) -> None:
    summary = summarise_outages(spans)
    assert list(summary.latest) == expected
    assert summary.count == len(expected)
    assert summary.offline_s == sum(o.duration_s for o in expected)


def test_the_longest_and_the_latest_few() -> None:
    spans = []
    for i, length in enumerate([5, 30, 10, 20]):
        spans += [
            span(i * 100, i * 100 + length, "offline"),
            span(i * 100 + length, i * 100 + 100, "online"),
        ]

    summary = summarise_outages(spans, keep_latest=2)

    assert summary.count == 4
    assert summary.offline_s == 65
    assert summary.longest == Outage(100, 130, (), open_ended=False)
    assert [o.start for o in summary.latest] == [200, 300]
