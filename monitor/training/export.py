"""ONNX export of the density network, with what run time needs in the file's metadata."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import onnx
import torch

from monitor.training.model import STRIDE, DensityNet, PeopleDensity


def export_onnx(model: DensityNet, path: Path, info: dict[str, object] | None = None) -> Path:
    """Writes `path` with dynamic height and width; returns it."""
    graph_module = PeopleDensity(model.eval()).eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    example = torch.zeros(1, 3, 480, 640)
    # The TorchScript exporter warns about its own deprecation and shape inference on every
    # call; none of it concerns this graph, and tests run with warnings as errors.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph_module,
            (example,),
            str(path),
            input_names=["image"],
            output_names=["density"],
            dynamic_axes={"image": {2: "height", 3: "width"}, "density": {2: "rows", 3: "cols"}},
            opset_version=17,
            dynamo=False,
        )
    graph = onnx.load(str(path))
    meta = {
        "input_multiple": str(model.input_multiple),
        "stride": str(STRIDE),
        "input": "RGB float32 0..255, (1, 3, H, W), H and W multiples of input_multiple",
        "output": "people per cell, (1, 1, H/stride, W/stride)",
        "training": json.dumps(info or {}),
    }
    onnx.helper.set_model_props(graph, meta)
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))
    return path
