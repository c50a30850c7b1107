from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from monitor.density.base import DensityMap
from monitor.density.roi import Roi, RoiError, count_in_mask, load_roi, polygon_mask

LEFT_HALF = [[0, 0], [320, 0], [320, 480], [0, 480]]


def uniform_density(total: float = 48.0) -> DensityMap:
    values = np.full((60, 80), total / 4800, dtype=np.float32)
    return DensityMap(values=values, frame_size=(640, 480))


def write_mask(path: Path, mask: np.ndarray) -> Path:
    cv2.imwrite(str(path), (mask * 255).astype(np.uint8))
    return path


@pytest.fixture
def left_half_mask() -> np.ndarray:
    mask = np.zeros((480, 640), dtype=bool)
    mask[:, :320] = True
    return mask


@pytest.mark.parametrize(
    ("kind", "expected"),
    [pytest.param("mask", 24.0, id="png-mask"), pytest.param("polygon", 24.0, id="json-polygon")],
)
def test_count_inside_roi(
    kind: str, expected: float, tmp_path: Path, left_half_mask: np.ndarray
) -> None:
    if kind == "mask":
        path = write_mask(tmp_path / "roi.png", left_half_mask)
    else:
        path = tmp_path / "roi.json"
        path.write_text(json.dumps(LEFT_HALF))
    roi = load_roi(path)
    count = count_in_mask(uniform_density(), roi.mask_for((640, 480)))
    assert count == pytest.approx(expected, rel=0.01)


def test_partial_cells_count_in_proportion() -> None:
    # A mask edge in the middle of a cell: that cell counts half.
    values = np.zeros((1, 2), dtype=np.float32)
    values[0, 0] = 2.0
    mask = np.zeros((8, 16), dtype=bool)
    mask[:, :4] = True
    assert count_in_mask(DensityMap(values, (16, 8)), mask) == pytest.approx(1.0)


def test_polygon_mask_rasterises_inside() -> None:
    mask = polygon_mask([[10, 10], [30, 10], [30, 20], [10, 20]], (40, 30))
    assert mask[15, 20]
    assert not mask[5, 5]
    assert mask.shape == (30, 40)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param("roi.json", "not json", "not a JSON polygon", id="bad-json"),
        pytest.param("roi.json", "[[0, 0], [1, 1]]", "3 or more", id="two-points"),
        pytest.param("roi.json", '{"x": 1}', "not a JSON polygon|3 or more", id="object"),
        pytest.param("roi.png", "garbage", "cannot read mask", id="bad-png"),
    ],
)
def test_bad_roi_files(name: str, content: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(RoiError, match=message):
        load_roi(path)


def test_missing_roi_file(tmp_path: Path) -> None:
    with pytest.raises(RoiError, match="not found"):
        load_roi(tmp_path / "nope.png")


def test_mask_must_match_frame(tmp_path: Path) -> None:
    roi = load_roi(write_mask(tmp_path / "roi.png", np.ones((100, 100), dtype=bool)))
    with pytest.raises(RoiError, match="100x100"):
        roi.mask_for((640, 480))


def test_roi_needs_exactly_one_shape() -> None:
    with pytest.raises(ValueError, match="mask or a polygon"):
        Roi()
