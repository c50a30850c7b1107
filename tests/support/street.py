"""A synthetic street seen from a fixed camera, for tests of the view check: fixed
structure (kerbs, windows, paving joints) that corners are found on, and people that come
and go between frames."""

from __future__ import annotations

import cv2
import numpy as np

from bench.view_bench import camera_moved
from monitor.density.base import Frame

SIZE = (640, 480)  # width, height


def street(scene_seed: int = 1, people_seed: int = 0, people: int = 25) -> Frame:
    """The street of `scene_seed` with `people` passers-by placed by `people_seed`."""
    width, height = SIZE
    rng = np.random.default_rng(scene_seed)
    image = np.full((height, width, 3), 110, np.uint8)
    for _ in range(60):  # facades, windows, kiosks: boxes of many greys
        x, y = int(rng.integers(0, width - 40)), int(rng.integers(0, height - 40))
        w, h = int(rng.integers(12, 90)), int(rng.integers(12, 70))
        color = tuple(int(c) for c in rng.integers(20, 235, 3))
        cv2.rectangle(image, (x, y), (x + w, y + h), color, -1)
    for _ in range(25):  # kerbs and paving joints
        p = tuple(int(v) for v in rng.integers(0, [width, height]))
        q = tuple(int(v) for v in rng.integers(0, [width, height]))
        cv2.line(image, p, q, tuple(int(c) for c in rng.integers(0, 255, 3)), 2)
    walkers = np.random.default_rng(10_000 + people_seed)
    for _ in range(people):
        x, y = int(walkers.integers(0, width)), int(walkers.integers(height // 3, height))
        color = tuple(int(c) for c in walkers.integers(0, 255, 3))
        cv2.ellipse(image, (x, y), (6, 16), 0, 0, 360, color, -1)
        cv2.circle(image, (x, y - 20), 5, (40, 50, 60), -1)
    return image


def moved(
    image: Frame, dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0, turn: float = 0.0
) -> Frame:
    """The camera moved: shifted by `dx`, `dy` (shares of the width), zoomed about the
    centre and turned by `turn` degrees (as the view bench moves it)."""
    return camera_moved(dx=dx, dy=dy, zoom=zoom, turn=turn)(image)
