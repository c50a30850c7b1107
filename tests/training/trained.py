"""Models that look trained, for tests that must notice a dropped or misplaced weight."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from torch import Tensor

    from monitor.training.model import DensityNet


def trained_looking(
    context: bool, width: int = 32, seed: int = 0, scene: bool = False, fine: bool = False
) -> DensityNet:
    """Every decoder weight moved off its initial value (the context projection, the scene
    conditioning and the fine projection off zero) and a positive output, so a load, a
    widening or a pooling that dropped or misplaced anything would change the map."""
    import torch

    from monitor.training.model import build_model
    from tests.training.layers import output_bias

    generator = torch.Generator().manual_seed(seed)
    model = build_model(context=context, width=width, scene=scene, fine=fine)
    with torch.no_grad():
        for module in model.decoder_modules():
            for parameter in module.parameters():
                parameter.add_(0.05 * torch.randn(parameter.shape, generator=generator))
        output_bias(model).fill_(1.0)
    return model.eval()


def density(model: DensityNet, image: Tensor) -> Tensor:
    """The exported graph's output (people per cell) for `image`, without gradients."""
    import torch

    from monitor.training.model import PeopleDensity

    with torch.no_grad():
        result: Tensor = PeopleDensity(model.eval())(image)
    return result


def images(count: int, seed: int = 0) -> Tensor:
    """Frames whose sides are multiples of 32, as the context stages need; each different."""
    import numpy as np
    import torch

    pixels = np.random.default_rng(seed).uniform(0, 255, (count, 3, 96, 128))
    return torch.from_numpy(pixels.astype(np.float32))


def saved(model: DensityNet, path: Path) -> Path:
    """An exported graph (.onnx) or, like a stopped run's checkpoint, a state dict (.pt)."""
    import torch

    from monitor.training.export import export_onnx

    if path.suffix == ".onnx":
        return export_onnx(model, path)
    torch.save(model.state_dict(), path)
    return path
