from __future__ import annotations

import numpy as np
import pytest

from monitor.density.crowd_mask import EMPTY_CELL_PEOPLE, crowd_mask


@pytest.mark.parametrize(
    ("margin", "covered_columns"),
    [
        pytest.param(0, (4, 8), id="the-cell-alone"),
        pytest.param(2, (2, 10), id="widened-by-its-margin"),
    ],
)
def test_the_mask_covers_the_cells_with_people_at_any_size(
    margin: int, covered_columns: tuple[int, int]
) -> None:
    people = np.zeros((3, 4), np.float32)
    people[1, 1] = 0.2  # one person's share
    people[2, 3] = EMPTY_CELL_PEOPLE / 2  # too little to be anyone
    mask = crowd_mask(people, (16, 12), margin_px=margin)
    assert mask.shape == (12, 16)
    start, stop = covered_columns
    assert mask[6].tolist() == [start <= x < stop for x in range(16)]
    assert not mask[11, 12:].any()
