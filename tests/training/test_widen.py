from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from torch import Tensor

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import decoder_width  # noqa: E402
from monitor.training.model import DensityNet, build_model  # noqa: E402
from monitor.training.options import add_train_arguments, train_config  # noqa: E402
from monitor.training.train import TrainConfig, initial_model  # noqa: E402
from monitor.training.widen import widen_decoder  # noqa: E402
from tests.training.trained import density, trained_looking  # noqa: E402


def random_image(seed: int = 0) -> Tensor:
    pixels = np.random.default_rng(seed).uniform(0, 255, (1, 3, 96, 128))
    return torch.from_numpy(pixels.astype(np.float32))


@pytest.mark.parametrize(
    ("context", "width"),
    [
        pytest.param(False, 48, id="plain-to-48"),
        pytest.param(False, 64, id="plain-to-64"),
        pytest.param(True, 64, id="context-to-64"),
    ],
)
def test_a_widened_decoder_gives_the_same_map(context: bool, width: int) -> None:
    narrow = trained_looking(context)
    wide = widen_decoder(narrow, width)
    image = random_image()
    before, after = density(narrow, image), density(wide, image)
    assert wide.width == width
    assert before.sum() > 1.0
    assert torch.allclose(after, before, rtol=1e-5, atol=1e-6)


def test_the_new_channels_get_a_gradient_and_change_the_map() -> None:
    """Zero weights on the new channels must not be a dead end: after one step the output
    layer reads them, so the wider decoder can learn what the narrow one could not."""
    narrow = trained_looking(context=False)
    wide = widen_decoder(narrow, 64).train()
    for parameter in wide.parameters():
        parameter.requires_grad_(False)
    trainable = [p for m in wide.decoder_modules() for p in m.parameters()]
    for parameter in trainable:
        parameter.requires_grad_(True)
    optimiser = torch.optim.SGD(trainable, lr=1e-3)
    image = random_image()
    wide(image).sum().backward()
    output_layer = wide.head[-1]
    assert isinstance(output_layer, torch.nn.Conv2d)
    assert output_layer.weight.grad is not None
    assert output_layer.weight.grad[:, 32:].abs().sum() > 0
    optimiser.step()
    assert output_layer.weight[:, 32:].abs().sum() > 0
    assert not torch.allclose(density(wide, image), density(narrow, image))


@pytest.mark.parametrize("width", [pytest.param(32, id="same"), pytest.param(16, id="narrower")])
def test_only_a_wider_decoder_is_accepted(width: int) -> None:
    with pytest.raises(ValueError, match="already has 32 channels"):
        widen_decoder(trained_looking(context=False), width)


@pytest.mark.parametrize("width", [pytest.param(32, id="32"), pytest.param(48, id="48")])
def test_the_exported_decoder_width_is_read_back(tmp_path: Path, width: int) -> None:
    path = export_onnx(build_model(width=width).eval(), tmp_path / "model.onnx")
    assert decoder_width(path) == width


def exported(tmp_path: Path, model: DensityNet, name: str) -> Path:
    return export_onnx(model, tmp_path / name)


def config_from(init: Path, decoder_width: int | None) -> TrainConfig:
    return TrainConfig(
        data=init.parent, out=init.parent / "out.onnx", init=init, decoder_width=decoder_width
    )


def test_a_run_widens_its_init_model_without_changing_it(tmp_path: Path) -> None:
    narrow = trained_looking(context=False)
    path = exported(tmp_path, narrow, "narrow.onnx")
    started = initial_model(config_from(path, 64))
    assert started.width == 64
    image = random_image(1)
    assert torch.allclose(density(started, image), density(narrow, image), rtol=1e-4, atol=1e-6)


def test_a_run_keeps_its_init_models_width_when_none_is_given(tmp_path: Path) -> None:
    """A wide model must resume (and average) without the caller repeating its width."""
    wide = trained_looking(context=False, width=48)
    path = exported(tmp_path, wide, "wide.onnx")
    started = initial_model(config_from(path, None))
    assert started.width == 48
    image = random_image(2)
    assert torch.allclose(density(started, image), density(wide, image), rtol=1e-4, atol=1e-6)


def test_a_run_refuses_to_narrow_its_init_model(tmp_path: Path) -> None:
    path = exported(tmp_path, trained_looking(context=False, width=48), "wide.onnx")
    with pytest.raises(ValueError, match="already has 48 channels; cannot widen to 32"):
        initial_model(config_from(path, 32))


@pytest.mark.parametrize(
    "value", [pytest.param("0", id="zero"), pytest.param("1000", id="too-many")]
)
def test_the_decoder_width_option_is_bounded(tmp_path: Path, value: str) -> None:
    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    args = parser.parse_args(["--data", str(tmp_path), "--decoder-width", value])
    with pytest.raises(ValueError, match=f"--decoder-width must be 1-512 channels, got {value}"):
        train_config(args)
