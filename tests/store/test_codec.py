from __future__ import annotations

import pytest

from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.store import codec
from tests.store.builders import thresholds


@pytest.mark.parametrize(
    "grid",
    [
        pytest.param([], id="empty"),
        pytest.param([[None, None]], id="all-outside"),
        pytest.param([[0.1 + 0.2, None], [1e-310, 1 / 3]], id="awkward-floats"),
    ],
)
def test_grid_round_trips_exactly(grid: list[list[float | None]]) -> None:
    assert codec.grid_from_json(codec.grid_to_json(grid)) == grid


def test_grid_json_is_compact() -> None:
    assert codec.grid_to_json([[None, 1.5], [0.25, None]]) == "[[null,1.5],[0.25,null]]"


def test_grid_with_nan_is_refused() -> None:
    with pytest.raises(ValueError, match="JSON"):
        codec.grid_to_json([[float("nan")]])


def test_thresholds_round_trip() -> None:
    config = thresholds(1.1)

    assert codec.thresholds_from_json(codec.thresholds_to_json(config)) == config


def test_quality_json_is_compact_and_round_trips_exactly() -> None:
    verdict = QualityVerdict(
        issues=(QualityIssue.DETAIL_LOSS,),
        median=FrameQuality(noise=0.123, detail=0.5, blocking=1.25, spread=1 / 3),
    )
    text = codec.quality_to_json(verdict)
    assert text.startswith('{"issues":["detail_loss"],"noise":0.123,"detail":0.5,')
    assert codec.quality_from_json(text) == verdict


def test_a_checked_views_shift_is_kept_and_an_unchecked_one_takes_no_room() -> None:
    median = FrameQuality(noise=1.0, detail=0.9, blocking=1.2, spread=40.0)
    moved = QualityVerdict(issues=(QualityIssue.VIEW_MOVED,), median=median, view_shift=0.0812)
    text = codec.quality_to_json(moved)
    assert text.endswith(',"view_shift":0.0812}')
    assert codec.quality_from_json(text) == moved
    unchecked = QualityVerdict(issues=(), median=median)
    assert "view_shift" not in codec.quality_to_json(unchecked)
    assert codec.quality_from_json(codec.quality_to_json(unchecked)).view_shift is None
