from __future__ import annotations

import pytest

from monitor.alerts.whatif import WhatIfAlert, WhatIfResult
from monitor.config.motion import MotionConfig
from monitor.config.thresholds import Metric
from monitor.motion.measure import Motion
from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.recording.whatif import (
    alert_seconds,
    metric_series,
    pair_alerts,
    pressure_series,
    turbulence_series,
)
from monitor.store.base import StoredReading


def alert(raised: float, resolved: float | None) -> WhatIfAlert:
    return WhatIfAlert(raised, resolved, "elevated", "elevated", 5.0)


def result(*alerts: WhatIfAlert) -> WhatIfResult:
    return WhatIfResult(readings=10, alerts=list(alerts), transitions=[], final_level="normal")


def test_overlapping_alerts_pair_and_say_how_much_earlier() -> None:
    candidate = result(alert(100.0, 400.0), alert(900.0, 950.0))
    in_force = result(alert(220.0, 380.0), alert(600.0, 700.0))
    pairs = pair_alerts(candidate, in_force, until=1000.0)
    assert [(p.candidate, p.in_force) for p in pairs] == [
        (candidate.alerts[0], in_force.alerts[0]),
        (None, in_force.alerts[1]),
        (candidate.alerts[1], None),
    ]
    assert pairs[0].minutes_earlier == pytest.approx(2.0)
    assert pairs[1].minutes_earlier is None


def test_an_open_alert_runs_to_the_end_of_the_range() -> None:
    assert alert_seconds(result(alert(100.0, None), alert(10.0, 20.0)), until=400.0) == 310.0


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        pytest.param(Metric.COUNT, 12.0, id="count"),
        pytest.param(Metric.MEAN_DENSITY, 0.5, id="mean"),
        pytest.param(Metric.PEAK_DENSITY, 2.5, id="peak"),
    ],
)
def test_metric_series(metric: Metric, value: float) -> None:
    r = StoredReading("a", 1, 5.0, 5.1, 12.0, 0.5, 2.5, "normal", [[0.0]], 10, 10)
    assert metric_series([r], metric) == [(5.0, value)]


@pytest.mark.parametrize(
    ("issues", "kept"),
    [
        pytest.param((), True, id="good"),
        pytest.param((QualityIssue.NOISE, QualityIssue.DETAIL_LOSS), True, id="poor"),
        pytest.param((QualityIssue.BLANK,), False, id="blank"),
    ],
)
def test_a_blank_pictures_reading_is_left_out_as_the_live_engine_left_it(
    issues: tuple[QualityIssue, ...], kept: bool
) -> None:
    measures = FrameQuality(noise=0.5, detail=0.9, blocking=1.1, spread=40.0)
    assessed = StoredReading(
        "a", 1, 5.0, 5.1, 0.0, 0.0, 0.0, "high", [[0.0]], 10, 10, QualityVerdict(issues, measures)
    )
    unassessed = StoredReading("a", 2, 6.0, 6.1, 9.0, 0.5, 2.5, "high", [[0.0]], 10, 10)
    expected = [(5.0, 0.0)] if kept else []
    assert metric_series([assessed, unassessed], Metric.COUNT) == [*expected, (6.0, 9.0)]


def with_motion(at: float, motion: Motion | None, blank: bool = False) -> StoredReading:
    quality = None
    if blank:
        measures = FrameQuality(noise=0.5, detail=0.9, blocking=1.1, spread=1.0)
        quality = QualityVerdict((QualityIssue.BLANK,), measures)
    return StoredReading(
        "a", 1, at, at + 0.1, 9.0, 0.5, 2.5, "normal", [[0.0]], 10, 10, quality, motion
    )


PUSHED = Motion(speed_m_s=1.0, pressure=0.05, turbulent=True)
STORED = [with_motion(1.0, PUSHED), with_motion(2.0, None), with_motion(3.0, PUSHED, blank=True)]


@pytest.mark.parametrize(
    ("motion", "expected"),
    [
        # As live: no motion, or a blank picture, holds the engine: nothing is fed.
        pytest.param({}, [(1.0, 0.05)], id="as measured"),
        # Off counts as calm, every reading but the blank one.
        pytest.param({"alert": False}, [(1.0, 0.0), (2.0, 0.0)], id="alert off"),
    ],
)
def test_turbulence_series(motion: dict[str, object], expected: list[tuple[float, float]]) -> None:
    assert turbulence_series(STORED, MotionConfig.model_validate(motion)) == expected


def test_pressure_series_is_what_was_stored() -> None:
    assert pressure_series(STORED) == [(1.0, 0.05)]
