"""Compression artefacts: a JPEG round trip at a drawn quality, blocky at low quality."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from monitor.training.augment import CameraDefects, jitter_colour
from monitor.training.compression import MAX_QUALITY, MIN_QUALITY, add_compression


def textured(seed: int = 0) -> np.ndarray:
    """Smooth random texture: what a crowd at a distance looks like to a codec."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (11, 15, 3), dtype=np.uint8)
    return np.asarray(cv2.resize(small, (128, 96), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def block_edge_excess(image: np.ndarray) -> float:
    """How much larger the steps across 8-pixel block boundaries are than the steps inside
    blocks: about 1 for a natural image, well above for a blocky one."""
    grey = image.astype(np.float32).mean(axis=2)
    steps = np.abs(np.diff(grey, axis=1))
    columns = np.arange(steps.shape[1])
    at_edges = steps[:, columns % 8 == 7].mean()
    inside = steps[:, columns % 8 != 7].mean()
    return float(at_edges / inside)


def test_the_round_trip_keeps_size_and_type_and_leaves_the_input_alone() -> None:
    image = textured()
    before = image.copy()
    out = add_compression(image, np.random.default_rng(0))
    assert out.shape == image.shape
    assert out.dtype == np.uint8
    assert not np.array_equal(out, image), "a JPEG round trip at quality <= 60 is lossy"
    assert np.array_equal(image, before)


@pytest.mark.parametrize(
    ("quality", "blocky"),
    [pytest.param(10, True, id="low-quality-is-blocky"), pytest.param(95, False, id="high")],
)
def test_low_quality_shows_block_edges(quality: int, blocky: bool) -> None:
    out = add_compression(textured(1), np.random.default_rng(0), (quality, quality))
    assert block_edge_excess(textured(1)) < 1.2
    assert (block_edge_excess(out) > 1.5) is blocky


def test_quality_is_drawn_across_the_range() -> None:
    """Distinct qualities give distinct files; every one in the range is reached."""
    image = textured(2)
    by_quality = {
        q: add_compression(image, np.random.default_rng(0), (q, q)).tobytes()
        for q in range(MIN_QUALITY, MAX_QUALITY + 1)
    }
    rng = np.random.default_rng(3)
    drawn = {add_compression(image, rng).tobytes() for _ in range(600)}
    assert drawn == set(by_quality.values())


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        pytest.param(0.0, 0.0, id="off"),
        pytest.param(0.3, 0.3, id="some"),
        pytest.param(1.0, 1.0, id="all"),
    ],
)
def test_a_share_of_jittered_views_is_compressed(share: float, expected: float) -> None:
    rng = np.random.default_rng(4)
    defects = CameraDefects(noisy_share=0.0, compressed_share=share)
    # Even quality 60 leaves block edges 1.2 times the steps inside; the texture's own are 1.0.
    blocky = [block_edge_excess(jitter_colour(textured(5), rng, defects)) > 1.1 for _ in range(400)]
    # Within about three standard deviations of the share (0.023 at 0.3); exact at 0 and 1.
    assert np.mean(blocky) == pytest.approx(expected, abs=0.07)
