from __future__ import annotations

import pytest

from bench import motion_bench
from bench.motion_bench import SCENARIOS, Scenario


@pytest.mark.parametrize(
    ("scenario", "truth"),
    [
        pytest.param(SCENARIOS[0], (0.0, 0.0), id="standing"),
        pytest.param(SCENARIOS[2], (1.2, 0.0), id="walking-together"),
        # Every window holds lanes going both ways at 0.6 m/s: variance 0.36, times 4/m².
        pytest.param(SCENARIOS[4], (0.6, 1.44), id="counterflow"),
    ],
)
def test_scenario_truth(scenario: Scenario, truth: tuple[float, float]) -> None:
    assert scenario.truth() == pytest.approx(truth)


def test_lanes_move_as_the_scenario_says() -> None:
    # 0.6 m/s for 0.5 s at 0.05 m a pixel: 6 pixels, east in even lanes, west in odd ones.
    before, after = motion_bench.lanes(SCENARIOS[4], seed=0)
    lane = motion_bench.LANE_PX
    assert (after[2, 6:300] == before[2, 0:294]).mean() > 0.95
    assert (after[lane + 2, 0:294] == before[lane + 2, 6:300]).mean() > 0.95


def test_the_bench_prints_its_tables(capsys: pytest.CaptureFixture[str]) -> None:
    assert motion_bench.main(["--seeds", "1", "--repeats", "2", "--no-clip"]) == 0
    out = capsys.readouterr().out
    assert "| counterflow, 0.6 m/s | 0.60 |" in out
    assert "| 1920x1080 |" in out


def test_the_synthetic_crowds_are_flagged_as_a_user_relies_on() -> None:
    # | name | true speed | measured | true pressure | measured | turbulent |
    rows = {
        cells[0]: cells[1:]
        for row in motion_bench.synthetic_rows(seeds=1)
        for cells in [[c.strip() for c in row.strip("|").split("|")]]
    }
    for name, (true_speed, speed, _, pressure, turbulent) in rows.items():
        assert float(speed) == pytest.approx(float(true_speed), abs=0.5 * float(true_speed) + 0.02)
        if name.startswith("counterflow"):
            assert float(pressure) > 5 * motion_bench.PRESSURE_LIMIT, name
            assert turbulent == "100%", name
        else:  # standing or walking as one: no pressure, however fast
            assert float(pressure) < motion_bench.PRESSURE_LIMIT / 4, name
            assert turbulent == "0%", name
