from __future__ import annotations

import pytest

from bench import trend_bench
from bench.trend_bench import SCENARIOS, Scenario
from monitor.config.trend import TrendConfig

SURGE, FAST_SURGE, STEADY = SCENARIOS[0], SCENARIOS[1], SCENARIOS[2]


@pytest.mark.parametrize(
    ("scenario", "crossing_s"),
    [
        # 1.0 to 5.5 from 300 s: 4.0 is two thirds of the way.
        pytest.param(SURGE, 300 + 2 / 3 * 600, id="slow-surge"),
        pytest.param(FAST_SURGE, 300 + 2 / 3 * 180, id="fast-surge"),
        pytest.param(STEADY, None, id="steady"),
    ],
)
def test_crossing(scenario: Scenario, crossing_s: float | None) -> None:
    assert scenario.crossing_s() == pytest.approx(crossing_s, abs=0.5)


def test_a_clean_slow_surge_warns_three_minutes_ahead() -> None:
    # Without scatter the ETA is exact: the warning comes when it drops to 180 s, and the
    # alert 5 s (the minimum duration) after the crossing.
    run = trend_bench.run(SURGE, scatter=0.0, seed=0, config=TrendConfig())
    assert run.warned_s == pytest.approx(180 + 5, abs=1.0)
    assert run.eta_error_s == pytest.approx(0, abs=1.0)
    assert run.false_share is None


def test_a_steady_crowd_is_never_warned_of() -> None:
    run = trend_bench.run(STEADY, scatter=0.1, seed=0, config=TrendConfig())
    assert (run.warned_s, run.eta_error_s, run.false_share) == (None, None, 0.0)


def test_the_bench_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert trend_bench.main(["--seeds", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("| scenario | window |")
    assert len(lines) == 3 + len(SCENARIOS) * len(trend_bench.WINDOWS_S)
