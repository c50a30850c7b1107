"""What every optional decoder part (model.py: the scene conditioning, the fine projection)
promises alike: it starts as a no-op, travels through ONNX and state dicts like every other
layer, is added on request and kept from an init model that has it, averages in as zero from
a model without it, and is trained by the frozen-backbone loop."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from torch import Tensor, nn

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.average import average_models  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import has_part, load_onnx_weights  # noqa: E402
from monitor.training.frozen import freeze_backbone  # noqa: E402
from monitor.training.model import DensityNet, build_model  # noqa: E402
from monitor.training.train import TrainConfig, initial_model  # noqa: E402
from monitor.training.widen import widen_decoder  # noqa: E402
from tests.training.trained import density, images, saved, trained_looking  # noqa: E402


@dataclass(frozen=True)
class Part:
    # The module's attribute name, its ONNX scope and build_model's keyword.
    name: str
    # The TrainConfig field that asks a run to add it.
    config_field: str

    def model(self, present: bool) -> DensityNet:
        return build_model(
            context=True, scene=self.asks("scene", present), fine=self.asks("fine", present)
        )

    def trained(self, present: bool, seed: int) -> DensityNet:
        return trained_looking(
            context=True,
            seed=seed,
            scene=self.asks("scene", present),
            fine=self.asks("fine", present),
        )

    def asks(self, name: str, present: bool) -> bool:
        return present and self.name == name

    def in_model(self, model: DensityNet) -> bool:
        present: bool = getattr(model, f"has_{self.name}")
        return present

    def weight(self, model: DensityNet) -> Tensor:
        conv: nn.Conv2d = getattr(model, self.name)
        return conv.weight


PARTS = [
    pytest.param(Part("scene", "scene_conditioning"), id="scene"),
    pytest.param(Part("fine", "fine_features"), id="fine"),
]


@pytest.mark.parametrize("part", PARTS)
def test_a_model_without_the_part_seeds_one_with_it_unchanged(tmp_path: Path, part: Part) -> None:
    plain = part.trained(False, seed=1)
    path = export_onnx(plain, tmp_path / "plain.onnx")
    seeded = load_onnx_weights(part.model(True), path)
    frames = images(2)
    assert density(plain, frames).max() > 0
    assert torch.allclose(density(seeded, frames), density(plain, frames), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("part", PARTS)
def test_the_parts_weights_round_trip_through_onnx(tmp_path: Path, part: Part) -> None:
    original = part.trained(True, seed=2)
    path = export_onnx(original, tmp_path / "with-part.onnx")
    restored = load_onnx_weights(part.model(True), path)
    frames = images(2)
    expected = density(original, frames)
    assert torch.allclose(density(restored, frames), expected, rtol=1e-4, atol=1e-6)
    with torch.no_grad():
        for parameter in getattr(original, part.name).parameters():
            parameter.zero_()
    # The part really contributes, so the comparison above covers it.
    assert not torch.allclose(density(original, frames), expected, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize(
    "present", [pytest.param(True, id="with-it"), pytest.param(False, id="without-it")]
)
def test_an_exported_models_part_is_detected(tmp_path: Path, part: Part, present: bool) -> None:
    path = export_onnx(part.model(present).eval(), tmp_path / "m.onnx")
    assert has_part(path, part.name) is present


@pytest.mark.parametrize("part", PARTS)
def test_a_model_with_the_part_does_not_load_into_one_without_it(
    tmp_path: Path, part: Part
) -> None:
    path = export_onnx(part.trained(True, seed=0), tmp_path / "with-part.onnx")
    with pytest.raises(ValueError, match=f"'{part.name}' is not in this model"):
        load_onnx_weights(part.model(False), path)


@pytest.mark.parametrize("part", PARTS)
def test_a_decoder_with_the_part_is_not_widened(part: Part) -> None:
    with pytest.raises(ValueError, match="cannot widen a decoder with"):
        widen_decoder(part.trained(True, seed=0), 64)


@pytest.mark.parametrize("part", PARTS)
def test_the_frozen_backbone_loop_trains_the_part(part: Part) -> None:
    model = part.model(True)
    trainable = {id(parameter) for parameter in freeze_backbone(model)}
    module: nn.Module = getattr(model, part.name)
    assert all(id(parameter) in trainable for parameter in module.parameters())


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize(
    "file_name", [pytest.param("init.onnx", id="onnx"), pytest.param("init.pt", id="state-dict")]
)
@pytest.mark.parametrize(
    ("init_has_it", "asked", "expected"),
    [
        pytest.param(False, False, False, id="plain-init-stays-plain"),
        pytest.param(False, True, True, id="added-on-request"),
        pytest.param(True, False, True, id="kept-from-init"),
    ],
)
def test_a_run_starts_from_its_init_model_with_or_without_the_part(
    tmp_path: Path, part: Part, init_has_it: bool, asked: bool, expected: bool, file_name: str
) -> None:
    init = part.trained(init_has_it, seed=5)
    path = saved(init, tmp_path / file_name)
    config = TrainConfig(
        data=tmp_path,
        out=tmp_path / "out.onnx",
        init=path,
        context=True,
        **{part.config_field: asked},  # type: ignore[arg-type]
    )
    started = initial_model(config)
    assert part.in_model(started) is expected
    frames = images(1, seed=6)
    assert torch.allclose(density(started, frames), density(init, frames), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize(
    "present",
    [
        pytest.param((True, True), id="both-have-it"),
        pytest.param((False, True), id="plain-first"),
        pytest.param((True, False), id="plain-second"),
    ],
)
def test_models_average_with_the_part_when_either_has_it(
    tmp_path: Path, part: Part, present: tuple[bool, bool]
) -> None:
    """A model without the part counts as one whose part is zero, as it computes."""
    paths = [
        export_onnx(part.trained(has_it, seed=seed), tmp_path / f"m{seed}.onnx")
        for seed, has_it in zip((7, 8), present, strict=True)
    ]
    averaged = average_models(paths, context=True)
    assert part.in_model(averaged)
    first, second = (load_onnx_weights(part.model(True), path) for path in paths)
    expected = (part.weight(first) + part.weight(second)) / 2
    assert torch.allclose(part.weight(averaged), expected, atol=1e-6)
    assert part.weight(averaged).abs().sum() > 0
