from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

import onnx  # noqa: E402

from monitor.density.onnx_model import OnnxDensityEstimator  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.model import build_model  # noqa: E402


@pytest.mark.parametrize(
    ("context", "multiple"),
    [pytest.param(False, 16, id="plain"), pytest.param(True, 32, id="context")],
)
def test_export_records_the_input_multiple_run_time_uses(
    context: bool, multiple: int, tmp_path: Path
) -> None:
    path = export_onnx(build_model(context=context), tmp_path / "model.onnx")
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert meta["input_multiple"] == str(multiple)
    # 150 x 200 is a multiple of neither; run time must round it to one the graph accepts.
    frame = np.random.default_rng(0).integers(0, 255, (150, 200, 3), dtype=np.uint8)
    density = OnnxDensityEstimator(path).estimate(frame)
    rows, cols = density.values.shape
    assert (rows * 8) % multiple == 0
    assert (cols * 8) % multiple == 0
    assert density.frame_size == (200, 150)
