from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from monitor.density.base import Frame
from monitor.quality.view import compose, identity, match_view, view_print, view_shift
from tests.support.street import SIZE, moved, street

WIDTH, HEIGHT = SIZE
HALF_DIAGONAL = math.hypot(WIDTH, HEIGHT) / 2


def shift_between(reference: Frame, current: Frame) -> float | None:
    before, after = view_print(reference), view_print(current)
    transform = match_view(before, after)
    return None if transform is None else view_shift(transform, before, after)


def test_the_same_view_with_other_people_in_it_has_not_moved() -> None:
    shift = shift_between(street(people_seed=0), street(people_seed=1, people=60))
    assert shift is not None
    assert shift < 0.002


@pytest.mark.parametrize(
    ("move", "expected"),
    [
        pytest.param({"dx": 0.02}, 0.02, id="panned-2pc"),
        pytest.param({"dx": -0.05, "dy": 0.03}, math.hypot(0.05, 0.03), id="panned-and-tilted"),
        # A zoom or a turn about the centre moves the corners most: half the diagonal away.
        pytest.param({"zoom": 1.05}, 0.05 * HALF_DIAGONAL / WIDTH, id="zoomed-in"),
        pytest.param({"turn": 2.0}, math.radians(2.0) * HALF_DIAGONAL / WIDTH, id="turned"),
    ],
)
def test_a_moved_camera_reads_how_far_its_corners_went(
    move: dict[str, float], expected: float
) -> None:
    shift = shift_between(street(people_seed=0), moved(street(people_seed=2), **move))
    assert shift == pytest.approx(expected, rel=0.1)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda im: (np.clip((im / 255.0) ** 2.2 * 150, 0, 255)).astype(np.uint8), id="dusk"
        ),
        pytest.param(
            lambda im: np.clip(
                im + np.random.default_rng(3).normal(0, 10, im.shape), 0, 255
            ).astype(np.uint8),
            id="grain",
        ),
        pytest.param(lambda im: cv2.GaussianBlur(im, (0, 0), 1.5), id="soft-focus"),
        pytest.param(lambda im: cv2.resize(im, (WIDTH // 2, HEIGHT // 2)), id="half-resolution"),
    ],
)
def test_a_poorer_or_smaller_picture_of_the_same_view_has_not_moved(
    change: Callable[[Frame], Frame],
) -> None:
    shift = shift_between(street(people_seed=0), change(street(people_seed=4)))
    assert shift is not None
    assert shift < 0.005


def test_another_scene_is_not_recognised() -> None:
    assert shift_between(street(scene_seed=1), street(scene_seed=2)) is None


def test_a_bare_frame_cannot_be_checked() -> None:
    flat = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    assert not view_print(flat).checkable
    assert view_print(street()).checkable
    assert match_view(view_print(flat), view_print(street())) is None


def test_transforms_compose_first_then_second() -> None:
    pan = np.array([[1.0, 0.0, 10.0], [0.0, 1.0, 0.0]])
    zoom = np.array([[2.0, 0.0, 0.0], [0.0, 2.0, 0.0]])
    # (1, 1) panned to (11, 1), then zoomed to (22, 2).
    both = compose(zoom, pan)
    assert both @ np.array([1.0, 1.0, 1.0]) == pytest.approx([22.0, 2.0])
    assert compose(identity(), pan) == pytest.approx(pan)


def test_a_dense_crowd_is_not_taken_for_the_scene() -> None:
    # Three thousand passers-by over the lower two thirds: their corners would use up the
    # print and the facades above would go unmatched; told where the crowd is, they do not.
    crowded = street(people_seed=1, people=3000)
    people = np.zeros((HEIGHT // 8, WIDTH // 8), np.float32)
    people[HEIGHT // 3 // 8 - 4 :] = 0.1
    before = view_print(street(people_seed=0))
    assert match_view(before, view_print(crowded)) is None
    after = view_print(crowded, people)
    transform = match_view(before, after)
    assert transform is not None
    assert view_shift(transform, before, after) < 0.003
    assert all(y < HEIGHT // 3 - 16 for _, y in after.points)
