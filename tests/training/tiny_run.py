"""Two steps of `crowd-monitor train` on a tiny data folder, for tests of what a run does."""

from __future__ import annotations

from pathlib import Path

from monitor.training.__main__ import main as train_main
from monitor.training.export import export_onnx
from monitor.training.model import build_model


def tiny_run(tmp_path: Path, *options: str, frozen_backbone: bool = False) -> Path:
    """Trains on every image under `tmp_path / "data"` for two steps of 64-pixel crops (or,
    with `frozen_backbone`, of the decoder of an untrained exported model) with `options`
    added; returns the exported model's path (its run's JSON lies beside it)."""
    out = tmp_path / "model.onnx"
    argv = [
        *("--data", str(tmp_path / "data"), "--steps", "2", "--batch", "2", "--crop", "64"),
        *("--device", "cpu", "--train-split", "all", *options),
        *("--out", str(out), "--work-dir", str(tmp_path / "work")),
    ]
    if frozen_backbone:
        init = export_onnx(build_model(), tmp_path / "plain.onnx")
        argv += ["--frozen-backbone", "--init", str(init)]
    assert train_main(argv) == 0
    return out
