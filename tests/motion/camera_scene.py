"""A street seen by a camera that may sway, turn or zoom between two frames, with a band
of crowd across it that may walk: the motion stages' test scene."""

from __future__ import annotations

import cv2
import numpy as np

from monitor.density.base import Frame
from tests.support.street import SIZE, street

WIDTH, HEIGHT = SIZE
CROWD_ROWS = (200, 360)  # the band of crowd, frame rows
CELL = 8
# People per density cell: 4/m² at 0.05 m a pixel in the band, nobody elsewhere.
PEOPLE = np.zeros((HEIGHT // CELL, WIDTH // CELL), np.float32)
PEOPLE[CROWD_ROWS[0] // CELL : CROWD_ROWS[1] // CELL] = 4.0 * (CELL * 0.05) ** 2
EVERYWHERE = np.full_like(PEOPLE, 4.0 * (CELL * 0.05) ** 2)


def scene(walk_px: float = 0.0, dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0) -> Frame:
    """The street with the crowd `walk_px` to the right of where it starts, seen by a camera
    moved by `dx`, `dy` pixels and zoomed by `zoom` about the centre."""
    picture = street(scene_seed=3, people=0)
    grain = np.random.default_rng(5).integers(0, 256, (CROWD_ROWS[1] - CROWD_ROWS[0], WIDTH + 60))
    crowd = cv2.GaussianBlur(grain.astype(np.uint8), (0, 0), 1.5)
    start = 30 - walk_px
    shift = np.array([[1.0, 0.0, -start], [0.0, 1.0, 0.0]])
    band = cv2.warpAffine(crowd, shift, (WIDTH, crowd.shape[0]), flags=cv2.INTER_CUBIC)
    picture[CROWD_ROWS[0] : CROWD_ROWS[1]] = cv2.cvtColor(band, cv2.COLOR_GRAY2BGR)
    camera = cv2.getRotationMatrix2D((WIDTH / 2, HEIGHT / 2), 0.0, zoom)
    camera[0, 2] += dx
    camera[1, 2] += dy
    moved = cv2.warpAffine(picture, camera, (WIDTH, HEIGHT), borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(moved, dtype=np.uint8)
