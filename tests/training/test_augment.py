from __future__ import annotations

import numpy as np
import pytest

from monitor.training.augment import PAD_VALUE, crop_view, random_view


def image_with_dot(x: int, y: int) -> np.ndarray:
    image = np.full((200, 300, 3), 100, dtype=np.uint8)
    image[y, x] = 255
    return image


@pytest.mark.parametrize(
    ("scale", "flip", "expected"),
    [
        pytest.param(1.0, False, (40, 30), id="plain-crop"),
        pytest.param(2.0, False, (80, 60), id="enlarged"),
        pytest.param(1.0, True, (64 - 1 - 40, 30), id="flipped"),
    ],
)
def test_points_move_with_pixels(scale: float, flip: bool, expected: tuple[int, int]) -> None:
    image = image_with_dot(140, 80)
    points = np.array([[140, 80]], dtype=np.float32)
    view = crop_view(
        image,
        points,
        np.array([4.0], dtype=np.float32),
        None,
        origin=(100, 50),
        scale=scale,
        size=64 if not scale > 1 else 128,
        flip=flip,
    )
    assert view.points.tolist() == [list(map(float, expected))]
    y, x = np.unravel_index(int(np.argmax(view.image[:, :, 0])), view.image.shape[:2])
    assert (int(x), int(y)) == expected
    assert view.sigmas.tolist() == [4.0 * scale]


def test_points_outside_the_view_are_dropped() -> None:
    points = np.array([[10, 10], [150, 100]], dtype=np.float32)
    view = crop_view(
        np.zeros((200, 300, 3), np.uint8),
        points,
        np.ones(2, np.float32),
        None,
        origin=(100, 50),
        scale=1.0,
        size=100,
        flip=False,
    )
    assert len(view.points) == 1


def test_views_beyond_the_image_are_grey_and_valid() -> None:
    valid = np.zeros((20, 20), dtype=bool)
    view = crop_view(
        np.zeros((20, 20, 3), np.uint8),
        np.zeros((0, 2), np.float32),
        np.zeros(0, np.float32),
        valid,
        origin=(-10, -10),
        scale=1.0,
        size=40,
        flip=False,
    )
    assert view.image[0, 0].tolist() == [PAD_VALUE] * 3
    assert view.valid is not None
    assert view.valid[0, 0]
    assert not view.valid[20, 20]


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed-{s}") for s in range(3)])
def test_random_view_shape(seed: int) -> None:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 255, (150, 400, 3), dtype=np.uint8)
    points = rng.uniform([0, 0], [400, 150], (30, 2)).astype(np.float32)
    view = random_view(image, points, np.full(30, 5, np.float32), None, rng, size=128)
    assert view.image.shape == (128, 128, 3)
    assert len(view.points) == len(view.sigmas) <= 30
