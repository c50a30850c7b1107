"""The turbulence-alert bench's timelines and what a user relies on from them: a lasting push
raises one alert after the hold and clears after the calm, a short one and a crowd walking as
one raise none."""

from __future__ import annotations

import pytest

from bench import turbulence_bench
from bench.motion_bench import LANE_PX
from bench.turbulence_bench import TIMELINES, Timeline
from monitor.config.motion import MotionConfig


def by_name(name: str) -> Timeline:
    return next(t for t in TIMELINES if t.name == name)


def test_a_timeline_knows_when_its_push_is() -> None:
    assert by_name("push 0.6 m/s for 30 s").push == (20.0, 50.0)
    assert by_name("walking as one at 1.2 m/s, 90 s").push is None


def test_frames_follow_the_timeline() -> None:
    timeline = by_name("push 0.6 m/s for 6 s (under the hold)")
    frames = turbulence_bench.frames(timeline, seed=0)
    assert len(frames) == (20 + 6 + 30) * 2
    lane = LANE_PX
    # In the push (frames 40-51) odd lanes walk west: 6 px a frame.
    before, after = frames[45], frames[46]
    assert (after[lane + 2, 0:600] == before[lane + 2, 6:606]).mean() > 0.95
    assert (after[2, 6:606] == before[2, 0:600]).mean() > 0.95


def test_a_lasting_push_raises_one_alert_after_the_hold_and_clears_after_the_calm() -> None:
    outcome = turbulence_bench.run(by_name("push 0.6 m/s for 30 s"), seed=0)
    hold = MotionConfig().alert_hold_s
    assert len(outcome.raised) == 1
    assert len(outcome.cleared) == 1
    # The hold, plus the few seconds the pressure's 5 s median takes to cross the limit.
    assert 20 + hold <= outcome.raised[0] <= 20 + hold + 5
    assert 50 + hold <= outcome.cleared[0] <= 50 + hold + 5


@pytest.mark.parametrize(
    "name",
    ["push 0.6 m/s for 6 s (under the hold)", "walking as one at 1.2 m/s, 90 s"],
)
def test_what_raises_no_alert(name: str) -> None:
    assert turbulence_bench.run(by_name(name), seed=0).raised == []


def test_the_bench_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert turbulence_bench.main(["--seeds", "1"]) == 0
    out = capsys.readouterr().out
    assert "| push 0.6 m/s for 6 s (under the hold) | never | n/a | 0-0 |" in out
