"""Synthetic scenes for pipeline tests: people drawn as white squares on black.

`BlobCountEstimator` really counts them (connected components), so a test controls the
crowd by drawing it and checks the whole loop without a trained model.
"""

from __future__ import annotations

import cv2
import numpy as np

from monitor.density.base import DensityMap, Frame

FRAME_SIZE = (160, 120)
STRIDE = 8


def scene(people: int, width: int = FRAME_SIZE[0], height: int = FRAME_SIZE[1]) -> Frame:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    for index in range(people):
        x = 8 + (index * 24) % (width - 16)
        y = 8 + 20 * ((index * 24) // (width - 16))
        cv2.rectangle(image, (x, y), (x + 8, y + 8), (255, 255, 255), thickness=-1)
    return image


class BlobCountEstimator:
    name = "blob-count"

    def estimate(self, frame: Frame) -> DensityMap:
        height, width = frame.shape[:2]
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        _, binary = cv2.threshold(gray, 127, 255, cv2.THRESH_BINARY)
        count, _, _, centroids = cv2.connectedComponentsWithStats(binary)
        values = np.zeros((height // STRIDE, width // STRIDE), dtype=np.float32)
        for cx, cy in centroids[1:count]:
            values[
                min(int(cy) // STRIDE, values.shape[0] - 1),
                min(int(cx) // STRIDE, values.shape[1] - 1),
            ] += 1.0
        return DensityMap(values, (width, height))


class FailingEstimator:
    """Fails while `failing` is set, then counts blobs: a model hiccup and its recovery."""

    name = "flaky"

    def __init__(self) -> None:
        self.failing = True
        self._inner = BlobCountEstimator()

    def estimate(self, frame: Frame) -> DensityMap:
        if self.failing:
            raise RuntimeError("model exploded")
        return self._inner.estimate(frame)
