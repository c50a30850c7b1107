"""OpenCV's HOG people detector as a density estimator: the naive baseline."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import DensityMap, Frame
from monitor.density.gaussian import splat_gaussians

# The default detector's window is 64x128 px, so people shorter than ~128 px are missed;
# small frames are enlarged until their height reaches this.
MIN_DETECT_HEIGHT = 480
GRID_STRIDE = 8
# A full-body box; the person's mass is spread over about a quarter of its width.
SIGMA_PER_BOX_WIDTH = 0.25


class HogDensityEstimator:
    """Each detection adds one unit-mass Gaussian at its box centre on a 1/8-resolution grid."""

    name = "hog"

    def __init__(self, hit_threshold: float = 0.0, scale: float = 1.05) -> None:
        self._hit_threshold = hit_threshold
        self._scale = scale
        # One descriptor per thread: HOGDescriptor keeps scratch buffers, and the contract lets
        # several site workers call estimate() on one shared instance.
        self._local = threading.local()

    def _descriptor(self) -> cv2.HOGDescriptor:
        hog: cv2.HOGDescriptor | None = getattr(self._local, "hog", None)
        if hog is None:
            hog = cv2.HOGDescriptor()
            detector = np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32)
            hog.setSVMDetector(detector)
            self._local.hog = hog
        return hog

    def detect(self, frame: Frame) -> npt.NDArray[np.float64]:
        """Boxes (N, 4) as x, y, w, h in the frame's own pixels."""
        height = frame.shape[0]
        factor = max(1.0, MIN_DETECT_HEIGHT / height)
        image = frame
        if factor > 1.0:
            image = np.asarray(
                cv2.resize(frame, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR),
                dtype=np.uint8,
            )
        boxes, _weights = self._descriptor().detectMultiScale(
            image,
            hitThreshold=self._hit_threshold,
            winStride=(8, 8),
            padding=(8, 8),
            scale=self._scale,
        )
        if len(boxes) == 0:
            return np.zeros((0, 4), dtype=np.float64)
        result: npt.NDArray[np.float64] = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        result /= factor
        return result

    def estimate(self, frame: Frame) -> DensityMap:
        height, width = frame.shape[:2]
        grid = (max(1, -(-height // GRID_STRIDE)), max(1, -(-width // GRID_STRIDE)))
        boxes = self.detect(frame)
        centres = boxes[:, :2] + boxes[:, 2:] / 2.0
        values = splat_gaussians(centres, boxes[:, 2] * SIGMA_PER_BOX_WIDTH, (width, height), grid)
        return DensityMap(values=values, frame_size=(width, height))
