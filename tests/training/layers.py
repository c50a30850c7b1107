"""Typed access to the layers the training tests set by hand (torch's `Module.__getattr__`
types every child as `Tensor | Module`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from monitor.training.model import DensityNet


def output_bias(model: DensityNet) -> torch.Tensor:
    """The bias of the last 1x1 conv: set positive, the clipped map is not all zeros."""
    from torch import nn

    layer = model.head[-1]
    assert isinstance(layer, nn.Conv2d)
    assert layer.bias is not None
    return layer.bias
