from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    from torch import Tensor

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import _module_path, load_onnx_weights  # noqa: E402
from monitor.training.model import (  # noqa: E402
    DensityNet,
    PeopleDensity,
    build_model,
    pretrained_backbone,
)
from tests.training.layers import output_bias  # noqa: E402


@pytest.mark.parametrize(
    ("node_name", "expected"),
    [
        pytest.param("/net/stem/stem.0/Conv", "stem.0", id="stem"),
        pytest.param(
            "/net/low/low.3/_depthwise_conv/Conv", "low.3._depthwise_conv", id="block-attribute"
        ),
        pytest.param("/net/head/head.0/head.0.0/Conv", "head.0.0", id="nested-sequential"),
        pytest.param("/net/head/head.3/Conv", "head.3", id="plain-conv"),
    ],
)
def test_module_path_from_node_name(node_name: str, expected: str) -> None:
    assert _module_path(node_name) == expected


def perturbed_model(seed: int) -> DensityNet:
    """Weights and BatchNorm statistics unlike the ImageNet start, so a load that skipped a
    layer or mishandled the BatchNorm fold would show in the output. The output bias is
    positive so the clipped map is not all zeros, whatever the decoder's random start."""
    generator = torch.Generator().manual_seed(seed)
    model = build_model()
    with torch.no_grad():
        output_bias(model).fill_(1.0)
        for parameter in model.parameters():
            parameter.mul_(1.0 + 0.1 * torch.randn(parameter.shape, generator=generator))
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                assert module.running_mean is not None
                module.running_mean.add_(
                    0.05 * torch.randn(module.num_features, generator=generator)
                )
    return model.eval()


def test_weights_round_trip_through_onnx(tmp_path: Path) -> None:
    original = perturbed_model(seed=3)
    path = export_onnx(original, tmp_path / "model.onnx")
    restored = load_onnx_weights(build_model(), path).eval()
    image = torch.from_numpy(
        np.random.default_rng(0).uniform(0, 255, (1, 3, 96, 128)).astype(np.float32)
    )
    with torch.no_grad():
        expected = PeopleDensity(original)(image)
        actual = PeopleDensity(restored)(image)
        untouched = PeopleDensity(build_model().eval())(image)
    assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-6)
    assert not torch.allclose(untouched, expected, rtol=1e-2, atol=1e-4)


def test_a_different_architecture_is_refused(tmp_path: Path) -> None:
    path = export_onnx(build_model(), tmp_path / "model.onnx")
    narrower = DensityNet(pretrained_backbone(), width=16)
    with pytest.raises(ValueError, match="has weights"):
        load_onnx_weights(narrower, path)


def perturbed_context_model(seed: int) -> DensityNet:
    """A context model whose projection is no longer zero, so its stages count, and whose
    output bias is positive, so the clipped map is not all zeros."""
    generator = torch.Generator().manual_seed(seed)
    model = build_model(context=True)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(0.01 * torch.randn(parameter.shape, generator=generator))
        output_bias(model).fill_(1.0)
    return model.eval()


# Sides that are multiples of 32, as the context stages need.
CONTEXT_IMAGE_SHAPE = (1, 3, 96, 128)


def random_image() -> Tensor:
    pixels = np.random.default_rng(0).uniform(0, 255, CONTEXT_IMAGE_SHAPE).astype(np.float32)
    image: Tensor = torch.from_numpy(pixels)
    return image


def test_a_plain_model_seeds_a_context_model_unchanged(tmp_path: Path) -> None:
    plain = perturbed_model(seed=5)
    path = export_onnx(plain, tmp_path / "plain.onnx")
    seeded = load_onnx_weights(build_model(context=True), path).eval()
    with torch.no_grad():
        expected = PeopleDensity(plain)(random_image())
        actual = PeopleDensity(seeded)(random_image())
    assert expected.max() > 0
    assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-6)


def test_context_weights_round_trip_through_onnx(tmp_path: Path) -> None:
    original = perturbed_context_model(seed=7)
    path = export_onnx(original, tmp_path / "context.onnx")
    restored = load_onnx_weights(build_model(context=True), path).eval()
    without_context = PeopleDensity(original).eval()
    with torch.no_grad():
        expected = without_context(random_image())
        actual = PeopleDensity(restored)(random_image())
        projection = original.context_projection
        assert projection.bias is not None
        projection.weight.zero_()
        projection.bias.zero_()
        plain_part = without_context(random_image())
    assert expected.min() > 0
    assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-6)
    # The context stages really contribute, so the comparison above covers them.
    assert not torch.allclose(plain_part, expected, rtol=1e-3, atol=1e-5)


def test_a_context_model_does_not_load_into_a_plain_one(tmp_path: Path) -> None:
    path = export_onnx(perturbed_context_model(seed=1), tmp_path / "context.onnx")
    with pytest.raises(ValueError, match=r"context\.0\._expand_conv' is not in this model"):
        load_onnx_weights(build_model(), path)
