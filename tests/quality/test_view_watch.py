from __future__ import annotations

import numpy as np
import pytest

from monitor.density.base import Frame
from monitor.quality.view import view_print
from monitor.quality.view_watch import (
    CHECK_EVERY_S,
    FOLLOW_EVERY_S,
    MIN_CHECKS,
    WINDOW_CHECKS,
    ViewWatch,
)
from tests.support.street import moved, street

LIMIT = 0.03
SET_UP = street(people_seed=0)
PANNED = moved(street(people_seed=1), dx=0.06)  # twice the limit
OTHER_SCENE = street(scene_seed=7)


def watch_over(
    frames: list[Frame], every_s: float = CHECK_EVERY_S
) -> list[tuple[bool, float | None] | None]:
    watch = ViewWatch(view_print(SET_UP))
    states = []
    for i, frame in enumerate(frames):
        state = watch.check(i * every_s, frame, LIMIT)
        states.append(None if state is None else (state.moved, state.shift))
    return states


def test_nothing_is_judged_before_a_few_checks() -> None:
    states = watch_over([PANNED] * MIN_CHECKS)
    assert states[: MIN_CHECKS - 1] == [None] * (MIN_CHECKS - 1)
    last = states[-1]
    assert last is not None
    assert last[0]
    assert last[1] == pytest.approx(0.06, rel=0.1)


def test_the_same_view_is_not_moved_and_says_how_far_it_is() -> None:
    states = watch_over([street(people_seed=i) for i in range(1, 8)])
    for state in states[MIN_CHECKS - 1 :]:
        assert state is not None
        assert not state[0]
        assert state[1] is not None
        assert state[1] < 0.005


@pytest.mark.parametrize(
    "odd",
    [
        pytest.param(PANNED, id="a-gust-shakes-the-mount"),
        pytest.param(OTHER_SCENE, id="a-bus-fills-the-picture"),
    ],
)
def test_one_odd_check_in_the_window_flags_nothing(odd: Frame) -> None:
    frames = [street(people_seed=i) for i in range(WINDOW_CHECKS)]
    frames[MIN_CHECKS] = odd
    states = watch_over(frames)
    assert all(state is None or not state[0] for state in states)


def test_a_view_recognised_no_more_is_moved_without_a_shift() -> None:
    states = watch_over([OTHER_SCENE] * WINDOW_CHECKS)
    assert states[-1] == (True, None)


def test_back_on_its_preset_the_view_clears() -> None:
    frames = [PANNED] * WINDOW_CHECKS + [street(people_seed=i) for i in range(WINDOW_CHECKS)]
    states = watch_over(frames)
    flagged = states[WINDOW_CHECKS - 1]
    assert flagged is not None
    assert flagged[0]
    last = states[-1]
    assert last is not None
    assert not last[0]


def test_checks_are_made_only_every_few_seconds() -> None:
    watch = ViewWatch(view_print(SET_UP))
    # Frames twice a second: the moved ones in between checks are never looked at.
    at = 0.0
    for _ in range(MIN_CHECKS + 2):
        watch.check(at, SET_UP, LIMIT)
        watch.check(at + 0.5, PANNED, LIMIT)
        watch.check(at + 1.0, PANNED, LIMIT)
        watch.check(at + 1.5, PANNED, LIMIT)
        at += CHECK_EVERY_S
    state = watch.check(at - 0.5, PANNED, LIMIT)
    assert state is not None
    assert not state.moved


def test_a_mount_that_sags_a_little_at_a_time_is_caught_once_it_has_sagged_too_far() -> None:
    # Each step is small enough for the following reference to take it, but the shift is
    # always judged against the set-up view.
    watch = ViewWatch(view_print(SET_UP))
    step = 0.007
    states = []
    for sag in range(1, 9):
        frame = moved(street(people_seed=sag), dy=step * sag)
        start = sag * (FOLLOW_EVERY_S + 60)
        for check in range(WINDOW_CHECKS):
            state = watch.check(start + check * CHECK_EVERY_S, frame, LIMIT)
        assert state is not None
        states.append((sag * step, state.moved, state.shift))
    for sagged, flagged, shift in states:
        assert shift == pytest.approx(sagged, rel=0.15, abs=0.002)
        assert flagged == (sagged > LIMIT)  # 0.028 is not, 0.035 is


def test_a_set_up_view_without_structure_is_never_checked() -> None:
    watch = ViewWatch(view_print(np.full((480, 640, 3), 90, np.uint8)))
    assert not watch.checkable
    assert all(watch.check(i * CHECK_EVERY_S, PANNED, LIMIT) is None for i in range(WINDOW_CHECKS))
