"""Sensor noise for training views: the grain of a camera at high gain (night, low light)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatImage = npt.NDArray[np.float32]

# Standard deviation of the strongest noise trained on, grey levels. A model trained without
# noise counted 4 people in mid-grey with sigma 15 and 16 with sigma 30; one trained on blank
# frames with noise up to 20 still counted 20-25 at sigma 30, and 160 at 40. Training past the
# 30 the tests hold the model to leaves a margin.
MAX_NOISE_SIGMA = 35.0
# Share of crowd views (crops, or whole-image views) that get noise too, so the network learns
# that grain is not people without learning that noisy frames are empty.
NOISY_VIEW_SHARE = 0.2


def add_sensor_noise(
    image: FloatImage, rng: np.random.Generator, max_sigma: float = MAX_NOISE_SIGMA
) -> FloatImage:
    """Independent Gaussian noise per pixel and channel, of a sigma drawn from 0 to
    `max_sigma`; no clipping (the caller clips once)."""
    sigma = rng.uniform(0.0, max_sigma)
    noisy: FloatImage = image + rng.normal(0.0, sigma, image.shape).astype(np.float32)
    return noisy
