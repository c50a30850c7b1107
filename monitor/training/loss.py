"""The density loss, shared by the crop loop and the frozen-backbone loop."""

from __future__ import annotations

import torch

from monitor.training.model import DENSITY_SCALE


def density_loss(
    predicted: torch.Tensor, targets: torch.Tensor, weights: torch.Tensor, count_weight: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean squared error over annotated cells (in DENSITY_SCALE units), plus each image's
    count error in people, which keeps the total honest where the map is right in shape but
    off in mass. All three maps are (B, 1, h, w); `targets` in people per cell, `weights` the
    annotated share of each cell. Returns the loss and the mean absolute count error (people)."""
    masked = predicted * weights
    target = targets * DENSITY_SCALE * weights
    squared = ((masked - target) ** 2).mean()
    count_error = (masked.sum(dim=(1, 2, 3)) - target.sum(dim=(1, 2, 3))).abs().mean()
    count_error = count_error / DENSITY_SCALE
    return squared + count_weight * count_error, count_error
