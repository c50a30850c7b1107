"""A cap on how many frames one shared estimator works on at once.

Every site worker calls the one estimator from its own thread. Each frame in flight holds its
own activations (onnxruntime's arena keeps them for reuse: about 70 MB for a 768x576 frame with
the shipped model), so with no cap the process grew towards one set per site as rarer and
rarer moments found more sites inferring together (120 MB in a 26-minute soak of the demo).
More frames in flight than cores only time-slice the same cores, so waiting for a slot costs
no throughput; the waiting site's source keeps only its newest frame meanwhile.
"""

from __future__ import annotations

import os
import threading

from monitor.density.base import DensityEstimator, DensityMap, Frame


def default_slots(threads_per_frame: int) -> int:
    """As many frames at once as the cores can run side by side."""
    return max(1, (os.cpu_count() or 1) // threads_per_frame)


class BoundedEstimator:
    """Lets at most `slots` threads into the wrapped estimator at once; the rest wait."""

    def __init__(self, inner: DensityEstimator, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"an estimator needs at least one slot, got {slots}")
        self.inner = inner
        self.name = inner.name
        self.slots = slots
        self._slots = threading.BoundedSemaphore(slots)

    def estimate(self, frame: Frame) -> DensityMap:
        with self._slots:
            return self.inner.estimate(frame)
