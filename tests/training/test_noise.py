"""Sensor noise: its strength, and how often crowd views get it."""

from __future__ import annotations

import numpy as np
import pytest

from monitor.training.augment import CameraDefects, jitter_colour
from monitor.training.noise import MAX_NOISE_SIGMA, NOISY_VIEW_SHARE, add_sensor_noise


@pytest.mark.parametrize(
    "max_sigma",
    [pytest.param(MAX_NOISE_SIGMA, id="default"), pytest.param(5.0, id="weak")],
)
def test_noise_strength_spans_none_to_the_maximum(max_sigma: float) -> None:
    rng = np.random.default_rng(0)
    flat = np.full((64, 64, 3), 128.0, dtype=np.float32)
    sigmas = [float(add_sensor_noise(flat, rng, max_sigma).std()) for _ in range(300)]
    assert max(sigmas) <= max_sigma * 1.05
    assert min(sigmas) < max_sigma * 0.1
    assert max(sigmas) > max_sigma * 0.9
    # Uniform in sigma: the mean strength is half the maximum.
    assert np.mean(sigmas) == pytest.approx(max_sigma / 2, rel=0.1)


def test_noise_is_added_unclipped_and_leaves_the_input_alone() -> None:
    image = np.full((32, 32, 3), 250.0, dtype=np.float32)
    noisy = add_sensor_noise(image, np.random.default_rng(1), max_sigma=30.0)
    assert noisy.dtype == np.float32
    assert float(noisy.max()) > 255.0
    assert float(np.abs(noisy - 250.0).mean()) > 0.0
    assert bool((image == 250.0).all())


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        pytest.param(None, NOISY_VIEW_SHARE, id="default"),
        pytest.param(0.0, 0.0, id="none"),
        pytest.param(0.4, 0.4, id="raised"),
        pytest.param(1.0, 1.0, id="all"),
    ],
)
def test_a_share_of_jittered_views_is_noisy(share: float | None, expected: float) -> None:
    rng = np.random.default_rng(2)
    # Brightness, contrast and greyscale keep a flat frame flat; only noise gives it texture.
    flat = np.full((48, 48, 3), 128, dtype=np.uint8)

    def jittered() -> np.ndarray:
        if share is None:
            return jitter_colour(flat, rng)
        return jitter_colour(flat, rng, CameraDefects(noisy_share=share))

    noisy = [float(jittered().astype(np.float32).std()) > 1.0 for _ in range(1000)]
    # Within about three standard deviations of the share (0.015 at 0.5); exact at 0 and 1.
    assert np.mean(noisy) == pytest.approx(expected, abs=0.045)
