from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import _module_path, load_onnx_weights  # noqa: E402
from monitor.training.model import (  # noqa: E402
    DensityNet,
    PeopleDensity,
    build_model,
    pretrained_backbone,
)


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
    layer or mishandled the BatchNorm fold would show in the output."""
    generator = torch.Generator().manual_seed(seed)
    model = build_model()
    with torch.no_grad():
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
