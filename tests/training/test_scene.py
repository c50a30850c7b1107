"""The scene conditioning (model.py): the pooled context sets a gain and shift per decoder
channel, per frame. What it shares with every optional part (a no-op start, the ONNX round
trip, init and averaging) is in test_optional_parts.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    pass

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.from_onnx import has_part  # noqa: E402
from monitor.training.model import build_model  # noqa: E402
from monitor.training.train import TrainConfig, initial_model  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402
from tests.training.trained import density, images, trained_looking  # noqa: E402

SHIPPED = Path(__file__).parents[2] / "models" / "crowd-density.onnx"


def test_each_frame_is_conditioned_on_its_own_scene_only() -> None:
    """Pooled per frame, not over the batch: a frame counts the same alone or beside
    another scene (training batches mix datasets; run time sends one frame)."""
    model = trained_looking(context=True, scene=True, seed=3)
    frames = images(2, seed=4)
    together = density(model, frames)
    assert torch.allclose(together[:1], density(model, frames[:1]), rtol=1e-4, atol=1e-6)
    assert torch.allclose(together[1:], density(model, frames[1:]), rtol=1e-4, atol=1e-6)


def test_scene_conditioning_needs_the_context_stages() -> None:
    with pytest.raises(ValueError, match="needs context"):
        build_model(scene=True)


def test_the_train_command_adds_and_trains_the_conditioning(tmp_path: Path) -> None:
    write_crowd_folder(tmp_path / "data")
    out = tmp_path / "model.onnx"
    argv = [
        *("--data", str(tmp_path / "data"), "--init", str(SHIPPED), "--frozen-backbone"),
        *("--context", "--scene-conditioning", "--steps", "2", "--batch", "2"),
        *("--device", "cpu", "--train-split", "all", "--out", str(out)),
        *("--work-dir", str(tmp_path / "work")),
    ]
    assert train_main(argv) == 0
    assert json.loads(out.with_suffix(".json").read_text())["config"]["scene_conditioning"] == (
        "True"
    )
    assert has_part(out, "scene")
    state = torch.load(tmp_path / "work" / "density-net.pt", map_location="cpu", weights_only=True)
    assert state["scene.weight"].abs().sum() > 0, "the conditioning moved off its zero start"


def test_scene_conditioning_without_context_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_crowd_folder(tmp_path / "data")
    argv = ["--data", str(tmp_path / "data"), "--scene-conditioning", "--steps", "1"]
    assert train_main([*argv, "--out", str(tmp_path / "m.onnx")]) == 2
    assert "--scene-conditioning needs --context" in capsys.readouterr().err


def test_a_state_dict_missing_part_of_a_layer_is_refused(tmp_path: Path) -> None:
    """Only whole optional parts may be missing: a checkpoint with a layer cut out is not a
    smaller model but a broken one."""
    state = trained_looking(context=True, scene=True).state_dict()
    del state["head.1.0.weight"]
    path = tmp_path / "broken.pt"
    torch.save(state, path)
    config = TrainConfig(data=tmp_path, out=tmp_path / "out.onnx", init=path, context=True)
    with pytest.raises(ValueError, match=r"lacks head\.1\.0\.weight"):
        initial_model(config)
