from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from monitor.quality.assess import MIN_SIDE, FrameQuality, assess_frame, region_box
from monitor.training.compression import h264_round_trip, jpeg_round_trip


def street(seed: int = 0, shape: tuple[int, int] = (240, 320)) -> np.ndarray:
    """Texture at every scale, as a street scene has: white noise blurred a little."""
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    return cv2.GaussianBlur(raw, (0, 0), 1.0).astype(np.uint8, copy=False)


def with_flat_sky(frame: np.ndarray) -> np.ndarray:
    """The top third a plain grey, as sky or pavement: where sensor noise shows alone."""
    out = frame.copy()
    out[: frame.shape[0] // 3] = 120
    return out


@pytest.mark.parametrize(
    "sigma",
    [pytest.param(4.0, id="light"), pytest.param(8.0, id="night"), pytest.param(12.0, id="gain")],
)
def test_noise_reads_the_grey_level_sigma_added(sigma: float) -> None:
    grey = cv2.cvtColor(with_flat_sky(street()), cv2.COLOR_BGR2GRAY).astype(np.float32)
    rng = np.random.default_rng(1)
    noisy = np.clip(grey + rng.normal(0, sigma, grey.shape), 0, 255).astype(np.uint8)
    assert assess_frame(noisy).noise == pytest.approx(sigma, rel=0.1)


def test_a_clean_flat_area_reads_no_noise_however_busy_the_rest() -> None:
    assert assess_frame(with_flat_sky(street())).noise < 0.1


@pytest.mark.parametrize(
    "degrade",
    [
        pytest.param(lambda f: cv2.GaussianBlur(f, (0, 0), 2.0), id="blur"),
        pytest.param(lambda f: h264_round_trip(f, 45), id="starved-h264"),
    ],
)
def test_losing_fine_detail_lowers_the_detail_ratio(
    degrade: Callable[[np.ndarray], np.ndarray],
) -> None:
    frame = street()
    assert assess_frame(degrade(frame)).detail < 0.8 * assess_frame(frame).detail


def test_heavy_jpeg_raises_blocking_above_a_clean_frame() -> None:
    frame = cv2.GaussianBlur(street(), (0, 0), 2.0).astype(
        np.uint8, copy=False
    )  # smooth inside blocks: edges on the grid show
    clean, blocky = assess_frame(frame).blocking, assess_frame(jpeg_round_trip(frame, 10)).blocking
    assert clean == pytest.approx(1.0, abs=0.1)
    assert blocky > 1.5


@pytest.mark.parametrize(
    ("frame", "blank"),
    [
        pytest.param(np.full((120, 160, 3), 30, np.uint8), True, id="uniform"),
        pytest.param(street(), False, id="street"),
    ],
)
def test_spread_tells_a_blank_picture_from_a_scene(frame: np.ndarray, blank: bool) -> None:
    assert (assess_frame(frame).spread < 4.0) is blank


def test_grey_and_colour_frames_measure_the_same() -> None:
    frame = street(2)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY).astype(np.uint8, copy=False)
    assert assess_frame(frame) == assess_frame(grey)


@pytest.mark.parametrize(
    "shape", [pytest.param((MIN_SIDE - 1, 200), id="short"), pytest.param((200, 8), id="narrow")]
)
def test_a_frame_too_small_is_refused_with_its_size(shape: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match=f"{shape[1]}x{shape[0]} is too small"):
        assess_frame(np.zeros((*shape, 3), np.uint8))


@pytest.mark.parametrize(
    ("roi", "box"),
    [
        pytest.param([(40, 30), (200, 30), (200, 150)], (32, 16, 201, 151), id="on-the-16-grid"),
        pytest.param([(-10, -5), (400, -5), (400, 300)], (0, 0, 320, 240), id="clipped-to-frame"),
        pytest.param([(50, 50), (60, 50), (60, 200)], (0, 0, 320, 240), id="sliver-whole-frame"),
    ],
)
def test_region_box_is_the_regions_bounding_box(
    roi: list[tuple[float, float]], box: tuple[int, int, int, int]
) -> None:
    frame = street(3)
    left, top, right, bottom = box
    assert np.array_equal(region_box(frame, roi), frame[top:bottom, left:right])


def test_letterbox_bars_outside_the_region_do_not_hide_the_noise() -> None:
    grey = cv2.cvtColor(with_flat_sky(street()), cv2.COLOR_BGR2GRAY).astype(np.float32)
    rng = np.random.default_rng(4)
    noisy = np.clip(grey + rng.normal(0, 8.0, grey.shape), 0, 255).astype(np.uint8)
    letterboxed = np.zeros((480, 320), np.uint8)  # bars of clipped black above and below
    letterboxed[120:360] = noisy
    region = [(0.0, 130.0), (319.0, 130.0), (319.0, 350.0), (0.0, 350.0)]  # on the scene
    assert assess_frame(letterboxed).noise < 1.0
    assert assess_frame(region_box(letterboxed, region)).noise == pytest.approx(8.0, rel=0.1)


def test_rounded_keeps_three_decimals_of_every_measure() -> None:
    measured = FrameQuality(noise=1 / 3, detail=2 / 3, blocking=1.23456, spread=40.0004)
    assert measured.rounded() == FrameQuality(
        noise=0.333, detail=0.667, blocking=1.235, spread=40.0
    )
