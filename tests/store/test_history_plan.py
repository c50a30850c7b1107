from __future__ import annotations

import math

import pytest

from monitor.store.history_plan import (
    DeleteRange,
    TimeRange,
    alert_keep_range,
    ranges_to_delete,
)


def just_after(t: float) -> float:
    return math.nextafter(t, math.inf)


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        pytest.param([], [DeleteRange(None, 100)], id="nothing-kept"),
        pytest.param(
            [TimeRange(20, 30)],
            [DeleteRange(None, 20), DeleteRange(just_after(30), 100)],
            id="one-kept-range-its-ends-too",
        ),
        pytest.param(
            [TimeRange(40, 60), TimeRange(20, 30), TimeRange(25, 50)],
            [DeleteRange(None, 20), DeleteRange(just_after(60), 100)],
            id="overlapping-ranges-merge-in-any-order",
        ),
        pytest.param([TimeRange(90, 150)], [DeleteRange(None, 90)], id="a-range-across-the-cutoff"),
        pytest.param([TimeRange(120, 150)], [DeleteRange(None, 100)], id="a-range-after-it"),
        pytest.param(
            [TimeRange(-math.inf, 50)], [DeleteRange(just_after(50), 100)], id="from-the-start"
        ),
        pytest.param([TimeRange(-math.inf, 100)], [], id="all-kept"),
    ],
)
def test_ranges_to_delete(keep: list[TimeRange], expected: list[DeleteRange]) -> None:
    assert ranges_to_delete(100, keep) == expected


def test_a_backwards_range_is_refused() -> None:
    with pytest.raises(ValueError, match="ends"):
        ranges_to_delete(100, [TimeRange(30, 20)])


@pytest.mark.parametrize(
    ("ended_at", "expected"),
    [
        pytest.param(500.0, TimeRange(400, 560), id="cleared"),
        pytest.param(None, TimeRange(400, 1060), id="still-open-keeps-up-to-now"),
    ],
)
def test_alert_keep_range(ended_at: float | None, expected: TimeRange) -> None:
    assert alert_keep_range(460.0, ended_at, now=1000.0, margin_s=60) == expected
