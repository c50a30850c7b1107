"""Where a density map sees people, as a mask over a picture of any size: no I/O.

Stages that look for the fixed scene (the camera's own motion, the view against its set-up
view) must not take a crowd for it: a crowd's heads and shoulders are corners and texture
too, and a dense one outnumbers the kerbs and facades behind it.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

# A density cell with fewer people than this is empty ground (people per cell: a person
# spans ten or more 8x8-pixel cells, so one standing there puts 0.05 or more in each).
EMPTY_CELL_PEOPLE = 0.01

PeopleGrid = npt.NDArray[np.floating[Any]]  # people per density cell, any float width
Mask = npt.NDArray[np.bool_]


def crowd_mask(people: PeopleGrid, size: tuple[int, int], margin_px: int) -> Mask:
    """True where `people` (laid evenly over the frame) sees anyone, at `size` (width,
    height), widened by `margin_px` pixels there: a cell's people reach past it."""
    width, height = size
    crowded = (people >= EMPTY_CELL_PEOPLE).astype(np.uint8)
    mask = cv2.resize(crowded, (width, height), interpolation=cv2.INTER_NEAREST)
    if margin_px > 0:
        mask = cv2.dilate(mask, np.ones((2 * margin_px + 1, 2 * margin_px + 1), np.uint8))
    result: Mask = mask.astype(bool)
    return result
