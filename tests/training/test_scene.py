"""The scene conditioning (model.py): the pooled context sets a gain and shift per decoder
channel, per frame; it starts as a no-op and travels through ONNX like every other layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from torch import Tensor

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.average import average_models  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import has_part, load_onnx_weights  # noqa: E402
from monitor.training.frozen import freeze_backbone  # noqa: E402
from monitor.training.model import DensityNet, build_model  # noqa: E402
from monitor.training.train import TrainConfig, initial_model  # noqa: E402
from monitor.training.widen import widen_decoder  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402
from tests.training.trained import density, trained_looking  # noqa: E402

SHIPPED = Path(__file__).parents[2] / "models" / "crowd-density.onnx"


def images(count: int, seed: int = 0) -> Tensor:
    """Sides that are multiples of 32, as the context stages need; each frame different."""
    pixels = np.random.default_rng(seed).uniform(0, 255, (count, 3, 96, 128))
    return torch.from_numpy(pixels.astype(np.float32))


def test_a_context_model_seeds_a_scene_model_unchanged(tmp_path: Path) -> None:
    context = trained_looking(context=True, scene=False, seed=1)
    path = export_onnx(context, tmp_path / "context.onnx")
    seeded = load_onnx_weights(build_model(context=True, scene=True), path)
    frames = images(2)
    assert density(context, frames).max() > 0
    assert torch.allclose(density(seeded, frames), density(context, frames), rtol=1e-4, atol=1e-6)


def test_scene_weights_round_trip_through_onnx(tmp_path: Path) -> None:
    original = trained_looking(context=True, scene=True, seed=2)
    path = export_onnx(original, tmp_path / "scene.onnx")
    restored = load_onnx_weights(build_model(context=True, scene=True), path)
    frames = images(2)
    expected = density(original, frames)
    assert torch.allclose(density(restored, frames), expected, rtol=1e-4, atol=1e-6)
    with torch.no_grad():
        original.scene.weight.zero_()
        original.scene.bias.zero_()  # type: ignore[union-attr]
    # The conditioning really contributes, so the comparison above covers it.
    assert not torch.allclose(density(original, frames), expected, rtol=1e-3, atol=1e-5)


def test_each_frame_is_conditioned_on_its_own_scene_only() -> None:
    """Pooled per frame, not over the batch: a frame counts the same alone or beside
    another scene (training batches mix datasets; run time sends one frame)."""
    model = trained_looking(context=True, scene=True, seed=3)
    frames = images(2, seed=4)
    together = density(model, frames)
    assert torch.allclose(together[:1], density(model, frames[:1]), rtol=1e-4, atol=1e-6)
    assert torch.allclose(together[1:], density(model, frames[1:]), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("scene", "expected"),
    [pytest.param(True, True, id="scene"), pytest.param(False, False, id="plain")],
)
def test_an_exported_models_scene_conditioning_is_detected(
    tmp_path: Path, scene: bool, expected: bool
) -> None:
    path = export_onnx(build_model(context=True, scene=scene).eval(), tmp_path / "m.onnx")
    assert has_part(path, "scene") is expected


def test_a_scene_model_does_not_load_into_one_without_it(tmp_path: Path) -> None:
    path = export_onnx(trained_looking(context=True, scene=True), tmp_path / "scene.onnx")
    with pytest.raises(ValueError, match="'scene' is not in this model"):
        load_onnx_weights(build_model(context=True), path)


def test_scene_conditioning_needs_the_context_stages() -> None:
    with pytest.raises(ValueError, match="needs context"):
        build_model(scene=True)


def test_a_scene_decoder_is_not_widened() -> None:
    with pytest.raises(ValueError, match="cannot widen a decoder with scene conditioning"):
        widen_decoder(trained_looking(context=True, scene=True), 64)


def test_the_frozen_backbone_loop_trains_the_scene_conditioning() -> None:
    model = build_model(context=True, scene=True)
    trainable = {id(parameter) for parameter in freeze_backbone(model)}
    assert all(id(parameter) in trainable for parameter in model.scene.parameters())


def saved(model: DensityNet, path: Path) -> Path:
    """An exported graph (.onnx) or, like a stopped run's checkpoint, a state dict (.pt)."""
    if path.suffix == ".onnx":
        return export_onnx(model, path)
    torch.save(model.state_dict(), path)
    return path


@pytest.mark.parametrize(
    "file_name", [pytest.param("init.onnx", id="onnx"), pytest.param("init.pt", id="state-dict")]
)
@pytest.mark.parametrize(
    ("init_scene", "asked", "expected"),
    [
        pytest.param(False, False, False, id="plain-init-stays-plain"),
        pytest.param(False, True, True, id="added-on-request"),
        pytest.param(True, False, True, id="kept-from-init"),
    ],
)
def test_a_run_starts_from_its_init_model_with_or_without_the_conditioning(
    tmp_path: Path, init_scene: bool, asked: bool, expected: bool, file_name: str
) -> None:
    init = trained_looking(context=True, scene=init_scene, seed=5)
    path = saved(init, tmp_path / file_name)
    config = TrainConfig(
        data=tmp_path,
        out=tmp_path / "out.onnx",
        init=path,
        context=True,
        scene_conditioning=asked,
    )
    started = initial_model(config)
    assert started.has_scene is expected
    frames = images(1, seed=6)
    assert torch.allclose(density(started, frames), density(init, frames), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "scenes",
    [
        pytest.param((True, True), id="both-conditioned"),
        pytest.param((False, True), id="plain-first"),
        pytest.param((True, False), id="plain-second"),
    ],
)
def test_models_average_with_the_conditioning_when_either_has_it(
    tmp_path: Path, scenes: tuple[bool, bool]
) -> None:
    """A plain model counts as one whose conditioning is zero, as it computes."""
    paths = [
        export_onnx(
            trained_looking(context=True, scene=scene, seed=seed), tmp_path / f"m{seed}.onnx"
        )
        for seed, scene in zip((7, 8), scenes, strict=True)
    ]
    averaged = average_models(paths, context=True)
    assert averaged.has_scene
    first, second = (load_onnx_weights(build_model(context=True, scene=True), p) for p in paths)
    assert torch.allclose(
        averaged.scene.weight, (first.scene.weight + second.scene.weight) / 2, atol=1e-6
    )
    assert averaged.scene.weight.abs().sum() > 0


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
