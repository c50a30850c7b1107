from __future__ import annotations

import pytest

from monitor.bus.messages import MotionPublic, ReadingPayload
from monitor.notify.turbulence_watch import TurbulenceWatch
from tests.notify.builders import reading_payload

CALM = MotionPublic(speed_m_s=0.4, pressure=0.004, turbulent=False)
PUSHED = MotionPublic(speed_m_s=1.1, pressure=0.035, turbulent=True)


def reading(at: float, motion: MotionPublic | None) -> ReadingPayload:
    return reading_payload(at, level="critical", motion=motion, count=212, peak_density=5.4)


def told(watch: TurbulenceWatch, timeline: list[tuple[float, MotionPublic | None]]) -> list[float]:
    """The times of the readings the watch says to tell of."""
    return [at for at, motion in timeline if watch.observe("wuyi", reading(at, motion))]


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        pytest.param([(0, CALM), (1, CALM)], [], id="calm"),
        pytest.param([(0, CALM), (1, PUSHED), (2, PUSHED), (3, PUSHED)], [1], id="one-episode"),
        # A gap (no motion) neither ends the episode nor starts a new one.
        pytest.param([(0, PUSHED), (1, None), (2, PUSHED)], [0], id="gap-in-an-episode"),
        # Calm between: a new episode, but inside the cooldown.
        pytest.param([(0, PUSHED), (1, CALM), (2, PUSHED)], [0], id="again-too-soon"),
        pytest.param([(0, PUSHED), (1, CALM), (700, PUSHED)], [0, 700], id="again-later"),
    ],
)
def test_each_episode_is_told_once_and_again_only_after_the_cooldown(
    timeline: list[tuple[float, MotionPublic | None]], expected: list[float]
) -> None:
    assert told(TurbulenceWatch(cooldown_s=600), timeline) == expected


def test_what_is_told_is_the_readings_motion_and_crowd() -> None:
    turbulence = TurbulenceWatch(cooldown_s=600).observe("wuyi", reading(5.0, PUSHED))
    assert turbulence is not None
    assert (turbulence.pressure, turbulence.speed_m_s) == (0.035, 1.1)
    assert (turbulence.peak_density, turbulence.count) == (5.4, 212)


def test_sites_are_watched_apart() -> None:
    watch = TurbulenceWatch(cooldown_s=600)
    assert watch.observe("wuyi", reading(0, PUSHED)) is not None
    assert watch.observe("huangxing", reading(1, PUSHED)) is not None


def test_a_negative_cooldown_is_refused() -> None:
    with pytest.raises(ValueError, match="cooldown_s"):
        TurbulenceWatch(cooldown_s=-1)
