"""Compression artefacts: JPEG blocks, H.264 smoothing, drawn from both codecs' ranges."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest

from monitor.training.augment import CameraDefects, jitter_colour
from monitor.training.compression import (
    H264_CRF,
    JPEG_QUALITY,
    Codec,
    add_compression,
    h264_round_trip,
    jpeg_round_trip,
)
from tests.training.defect_spy import spy_on_defect


def textured(seed: int = 0, size: tuple[int, int] = (128, 96)) -> np.ndarray:
    """Smooth random texture (width, height = `size`), off the codecs' 8-pixel grid: what a
    crowd at a distance looks like to a codec."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (11, 15, 3), dtype=np.uint8)
    return np.asarray(cv2.resize(small, size, interpolation=cv2.INTER_CUBIC), dtype=np.uint8)


def block_edge_excess(image: np.ndarray) -> float:
    """How much larger the steps across 8-pixel block boundaries are than the steps inside
    blocks: about 1 for a natural image, well above for a blocky one."""
    grey = image.astype(np.float32).mean(axis=2)
    steps = np.abs(np.diff(grey, axis=1))
    columns = np.arange(steps.shape[1])
    return float(steps[:, columns % 8 == 7].mean() / steps[:, columns % 8 != 7].mean())


def fine_grain(seed: int) -> np.ndarray:
    """Detail a few pixels across, like distant heads."""
    noise = np.random.default_rng(seed).integers(0, 256, (192, 256, 3), dtype=np.uint8)
    return np.asarray(cv2.GaussianBlur(noise, (0, 0), 1.0), dtype=np.uint8)


def detail_kept(image: np.ndarray, out: np.ndarray) -> float:
    """Correlation of the two images' Laplacians: how much of the fine detail survives."""
    before = cv2.Laplacian(image.astype(np.float32), cv2.CV_32F).ravel()
    after = cv2.Laplacian(out.astype(np.float32), cv2.CV_32F).ravel()
    return float(np.corrcoef(before, after)[0, 1])


@pytest.mark.parametrize(
    ("round_trip", "size"),
    [
        pytest.param(lambda image: jpeg_round_trip(image, 30), (128, 96), id="jpeg"),
        pytest.param(lambda image: h264_round_trip(image, 40), (128, 96), id="h264"),
        pytest.param(lambda image: h264_round_trip(image, 40), (127, 95), id="h264-odd-sides"),
    ],
)
def test_a_round_trip_is_lossy_keeps_size_and_type_and_leaves_the_input_alone(
    round_trip: Callable[[np.ndarray], np.ndarray], size: tuple[int, int]
) -> None:
    image = textured(size=size)
    before = image.copy()
    out = round_trip(image)
    assert out.shape == image.shape
    assert out.dtype == np.uint8
    assert float(np.abs(out.astype(np.int16) - image).mean()) > 1.0
    assert np.array_equal(image, before)


def test_h264_keeps_an_odd_last_row_and_column_as_they_were() -> None:
    """4:2:0 chroma needs even sides: the codec sees the even part only."""
    image = textured(size=(127, 95))
    out = h264_round_trip(image, 40)
    assert np.array_equal(out[94], image[94])
    assert np.array_equal(out[:, 126], image[:, 126])
    assert not np.array_equal(out[:94, :126], image[:94, :126])


@pytest.mark.parametrize(
    ("quality", "blocky"),
    [pytest.param(10, True, id="low-quality-is-blocky"), pytest.param(95, False, id="high")],
)
def test_low_jpeg_quality_shows_block_edges(quality: int, blocky: bool) -> None:
    assert block_edge_excess(textured(1)) < 1.1
    assert (block_edge_excess(jpeg_round_trip(textured(1), quality)) > 1.5) is blocky


def test_h264_smooths_detail_away_the_more_the_higher_its_crf() -> None:
    image = fine_grain(2)
    kept = [detail_kept(image, h264_round_trip(image, crf)) for crf in (20, *H264_CRF)]
    assert kept == sorted(kept, reverse=True), kept
    assert kept[0] > 0.4, "CRF 20 keeps much of the grain"
    assert kept[-1] < 0.15, "CRF 45 smooths nearly all of it away"


def test_both_codecs_are_drawn_across_their_ranges() -> None:
    """Every JPEG quality and H.264 CRF in range, and nothing else, is reached: 1,500 draws
    give each of the 51 qualities about 15 chances."""
    image = textured(3, size=(32, 24))
    low, high = JPEG_QUALITY
    possible = {jpeg_round_trip(image, q).tobytes() for q in range(low, high + 1)}
    low, high = H264_CRF
    possible |= {h264_round_trip(image, crf).tobytes() for crf in range(low, high + 1)}
    rng = np.random.default_rng(3)
    assert {add_compression(image, rng).tobytes() for _ in range(1500)} == possible


@pytest.mark.parametrize(
    "codec",
    [pytest.param("jpeg", id="jpeg-only"), pytest.param("h264", id="h264-only")],
)
def test_one_codec_given_is_the_only_one_drawn(codec: Codec) -> None:
    image = textured(6, size=(32, 24))
    round_trip, (low, high) = {
        "jpeg": (jpeg_round_trip, JPEG_QUALITY),
        "h264": (h264_round_trip, H264_CRF),
    }[codec]
    possible = {round_trip(image, quality).tobytes() for quality in range(low, high + 1)}
    rng = np.random.default_rng(7)
    drawn = {add_compression(image, rng, (codec,)).tobytes() for _ in range(60)}
    assert drawn <= possible
    assert len(drawn) > 5, "qualities are still drawn across the range"


def test_no_codec_is_an_error() -> None:
    with pytest.raises(ValueError, match="no codec"):
        add_compression(textured(), np.random.default_rng(0), ())


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        pytest.param(0.0, 0.0, id="off"),
        pytest.param(0.3, 0.3, id="some"),
        pytest.param(1.0, 1.0, id="all"),
    ],
)
def test_a_share_of_jittered_views_is_compressed(
    share: float, expected: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = spy_on_defect(monkeypatch, "add_compression")
    rng = np.random.default_rng(4)
    defects = CameraDefects(noisy_share=0.0, compressed_share=share)
    for _ in range(400):
        jitter_colour(textured(5, size=(32, 24)), rng, defects)
    # Within about three standard deviations of the share (0.023 at 0.3); exact at 0 and 1.
    assert len(calls) / 400 == pytest.approx(expected, abs=0.07)
