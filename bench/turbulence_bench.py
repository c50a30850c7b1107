"""Turbulence-alert benchmark: how soon a lasting push raises an alert, and what does not.

    python -m bench.turbulence_bench [--seeds 3]

Synthetic crowds at 4 persons/m² (textured lanes 1.2 m wide, 0.05 m a pixel, 640x480, two
analysed frames a second, as `bench.motion_bench`) follow a timeline: walking as one, then
lanes pushed against each other, then walking as one again. Every frame goes through the
real flow, crowd-pressure measurement and window (`MotionTracker`) and the site's turbulence
alert engine with the default `motion` section (5 s median, 10 s hold, cleared below 0.75 of
the limit held as long). The table gives when the alert was raised after the push began and
cleared after it ended, and how many alerts the timeline raised: a push shorter than the
hold, and a crowd walking as one however fast, should raise none.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass

import cv2
import numpy as np

from bench.motion_bench import DT_S, FRAME, LANE_PX, METRES_PER_PIXEL, as_frame, synthetic_site
from monitor.alerts.engine import AlertEngine
from monitor.alerts.model import AlertEventKind
from monitor.alerts.turbulence import TURBULENCE_METRIC, turbulence_thresholds, turbulence_value
from monitor.config.motion import MotionConfig
from monitor.motion.tracker import MotionTracker


@dataclass(frozen=True)
class Phase:
    seconds: float
    speed_m_s: float
    counterflow: bool


@dataclass(frozen=True)
class Timeline:
    name: str
    phases: tuple[Phase, ...]

    @property
    def push(self) -> tuple[float, float] | None:
        """When the counterflow begins and ends, seconds from the start; None without one."""
        at = 0.0
        for phase in self.phases:
            if phase.counterflow:
                return at, at + phase.seconds
            at += phase.seconds
        return None


def _calm(seconds: float, speed: float = 0.6) -> Phase:
    return Phase(seconds, speed, counterflow=False)


TIMELINES = [
    Timeline("push 0.3 m/s for 30 s", (_calm(20), Phase(30, 0.3, True), _calm(40))),
    Timeline("push 0.6 m/s for 30 s", (_calm(20), Phase(30, 0.6, True), _calm(40))),
    Timeline("push 0.6 m/s for 6 s (under the hold)", (_calm(20), Phase(6, 0.6, True), _calm(30))),
    Timeline("walking as one at 1.2 m/s, 90 s", (_calm(90, 1.2),)),
]


def frames(timeline: Timeline, seed: int) -> list[np.ndarray]:
    """The timeline's frames, DT_S apart: each lane's texture moved on by its own walk."""
    width, height = FRAME
    rng = np.random.default_rng(seed)
    grain = rng.integers(0, 256, (height, width), dtype=np.uint8)
    texture = as_frame(cv2.GaussianBlur(grain, (0, 0), 1.5))
    lanes = range(0, height, LANE_PX)
    offsets = dict.fromkeys(lanes, 0)
    out = []
    for phase in timeline.phases:
        step = round(phase.speed_m_s * DT_S / METRES_PER_PIXEL)
        for _ in range(round(phase.seconds / DT_S)):
            image = np.empty_like(texture)
            for top in lanes:
                west = phase.counterflow and (top // LANE_PX) % 2
                offsets[top] += -step if west else step
                image[top : top + LANE_PX] = np.roll(texture[top : top + LANE_PX], offsets[top], 1)
            out.append(as_frame(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)))
    return out


@dataclass(frozen=True)
class Outcome:
    raised: list[float]  # seconds from the start
    cleared: list[float]


def run(timeline: Timeline, seed: int, config: MotionConfig | None = None) -> Outcome:
    config = config or MotionConfig()
    ground, geometry, people = synthetic_site()
    tracker = MotionTracker()
    engine = AlertEngine(
        "bench", turbulence_thresholds(config), id_factory=lambda: "a", metric=TURBULENCE_METRIC
    )
    raised, cleared = [], []
    for k, image in enumerate(frames(timeline, seed)):
        at = k * DT_S
        motion = tracker.follow(config, image, at, people, geometry, ground)
        value = turbulence_value(config, motion)
        if value is None:  # no motion this frame: only the deadlines run
            overdue = engine.tick(at)
            updates = [overdue] if overdue is not None else []
        else:
            updates = engine.update(at, value)
        for update in updates:
            if update.event.kind is AlertEventKind.RAISED:
                raised.append(at)
            elif update.event.kind is AlertEventKind.CLEARED:
                cleared.append(at)
    return Outcome(raised, cleared)


def rows(seeds: int) -> list[str]:
    out = []
    for timeline in TIMELINES:
        outcomes = [run(timeline, seed) for seed in range(seeds)]
        alerts = [len(o.raised) for o in outcomes]
        push = timeline.push
        raise_after, clear_after = "n/a", "n/a"
        if push is not None:
            begin, end = push
            raised = [o.raised[0] - begin for o in outcomes if o.raised]
            cleared = [o.cleared[0] - end for o in outcomes if o.cleared]
            raise_after = f"{statistics.median(raised):.1f}" if raised else "never"
            if cleared:
                clear_after = f"{statistics.median(cleared):.1f}"
            elif raised:
                clear_after = "never"
        out.append(
            f"| {timeline.name} | {raise_after} | {clear_after} | {min(alerts)}-{max(alerts)} |"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="synthetic draws per timeline")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    print(
        "| timeline, 4 /m² | raised, s after the push began | cleared, s after it ended "
        "| alerts per run |"
    )
    print("| --- | ---: | ---: | ---: |")
    for row in rows(args.seeds):
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
