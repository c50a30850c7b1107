"""The shipped density network, run with onnxruntime (no torch at run time).

The graph takes RGB float32 pixels in 0..255, shape (1, 3, H, W), with H and W multiples of the
network's input multiple (metadata `input_multiple`), normalises them itself, and returns
(1, 1, H/stride, W/stride) people per cell.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from monitor.density.base import DensityMap, Frame

DEFAULT_INPUT_MULTIPLE = 16
# Frames are run at full resolution so that far (small) heads still count; only frames beyond
# this long side are shrunk, to bound memory and latency.
DEFAULT_MAX_SIDE = 2048


def network_input_size(
    frame_size: tuple[int, int], multiple: int, max_side: int
) -> tuple[int, int]:
    """(width, height) to run the network at: the frame's own size capped at `max_side`,
    rounded to the nearest multiple so the output cells still tile the frame evenly."""
    width, height = frame_size
    shrink = min(1.0, max_side / max(width, height))

    def snap(side: float) -> int:
        return max(multiple, round(side * shrink / multiple) * multiple)

    return snap(width), snap(height)


def to_network_input(frame: Frame, size: tuple[int, int]) -> npt.NDArray[np.float32]:
    """BGR uint8 (H, W, 3) -> RGB float32 (1, 3, h, w) at `size` = (w, h)."""
    if (frame.shape[1], frame.shape[0]) != size:
        frame = np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)[None], dtype=np.float32)


class OnnxDensityEstimator:
    """Thread-safe: onnxruntime's InferenceSession.run may be called concurrently."""

    name = "onnx"

    def __init__(
        self, path: str | Path, threads: int = 1, max_side: int = DEFAULT_MAX_SIDE
    ) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # The arena keeps one set of activations per frame in flight (BoundedEstimator caps
        # how many), but without it every run allocates and page-faults its activations
        # afresh: 1.4-1.6x slower per frame (bench/density_bench.py).
        options.enable_cpu_mem_arena = True
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.path = Path(path)
        try:
            self._session = ort.InferenceSession(
                str(self.path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own untyped exceptions
            raise ValueError(f"cannot load density model {self.path}: {error}") from error
        meta = self._session.get_modelmeta().custom_metadata_map
        self._multiple = int(meta.get("input_multiple", DEFAULT_INPUT_MULTIPLE))
        self._input = self._session.get_inputs()[0].name
        self._max_side = max_side

    def estimate(self, frame: Frame) -> DensityMap:
        height, width = frame.shape[:2]
        size = network_input_size((width, height), self._multiple, self._max_side)
        (output,) = self._session.run(None, {self._input: to_network_input(frame, size)})
        values = np.maximum(np.asarray(output, dtype=np.float32)[0, 0], 0.0)
        return DensityMap(values=np.ascontiguousarray(values), frame_size=(width, height))
