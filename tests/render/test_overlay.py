from __future__ import annotations

import numpy as np
import pytest

from monitor.render.overlay import DANGEROUS_DENSITY, EXCLUDED_BRIGHTNESS, draw_heat, encode_jpeg

GREY = 200
# 160x120 frame, 2x2 grid of 80x60 cells, region over the whole frame.
ROI = [(0.0, 0.0), (159.0, 0.0), (159.0, 119.0), (0.0, 119.0)]


def frame() -> np.ndarray:
    return np.full((120, 160, 3), GREY, dtype=np.uint8)


@pytest.mark.parametrize(
    ("grid", "changed_cell", "unchanged_cell"),
    [
        pytest.param(
            [[DANGEROUS_DENSITY, 0.0], [0.0, 0.0]], (30, 40), (90, 120), id="top-left-hot"
        ),
        pytest.param([[None, None], [None, 3.0]], (90, 120), (30, 40), id="outside-region-none"),
    ],
)
def test_heat_tints_only_crowded_cells(
    grid: list[list[float | None]], changed_cell: tuple[int, int], unchanged_cell: tuple[int, int]
) -> None:
    out = draw_heat(frame(), grid, ROI)
    assert not np.array_equal(out[changed_cell], [GREY] * 3)
    assert out[unchanged_cell].tolist() == [GREY] * 3


def test_exclusions_are_dimmed_and_outlined() -> None:
    exclusion = [(100.0, 70.0), (140.0, 70.0), (140.0, 110.0), (100.0, 110.0)]
    out = draw_heat(frame(), [[0.0, 0.0], [0.0, 0.0]], ROI, exclude=[exclusion])
    inside = out[90, 120]
    assert inside.tolist() == [round(GREY * EXCLUDED_BRIGHTNESS)] * 3
    assert out[70, 120].tolist() != [GREY] * 3  # the outline
    assert out[30, 40].tolist() == [GREY] * 3  # elsewhere untouched


def test_input_frame_is_not_modified() -> None:
    original = frame()
    draw_heat(original, [[DANGEROUS_DENSITY, 0.0], [0.0, 0.0]], ROI, exclude=[ROI[:3]])
    assert (original == GREY).all()


def test_jpeg_round_trip_starts_with_the_jpeg_marker() -> None:
    assert encode_jpeg(frame())[:2] == b"\xff\xd8"
