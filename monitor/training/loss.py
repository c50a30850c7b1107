"""The density loss, shared by the crop loop and the frozen-backbone loop."""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 - the conventional alias

from monitor.training.losses import LossName
from monitor.training.model import DENSITY_SCALE

# The "local" loss's blocks, in stride-8 cells: 32 and 128 pixels, about a head and a group of
# heads at ShanghaiTech B's scale.
LOCAL_BLOCKS = (4, 16)


def blocks_for(loss: LossName) -> tuple[int, ...]:
    """The block sizes `density_loss` counts for a loss by name: none but for "local"."""
    return LOCAL_BLOCKS if loss == "local" else ()


def block_counts(density: torch.Tensor, block: int) -> torch.Tensor:
    """(B, 1, h, w) -> the sums over block x block cells, the map zero-padded at its right and
    bottom edges so every cell falls in exactly one block."""
    height, width = density.shape[-2:]
    padded = F.pad(density, (0, -width % block, 0, -height % block))
    return F.avg_pool2d(padded, block) * (block * block)


def block_chi_squared(predicted: torch.Tensor, target: torch.Tensor, block: int) -> torch.Tensor:
    """Each image's sum over its blocks of (error in people)^2 / (predicted people + 1),
    averaged over the batch; both maps in DENSITY_SCALE units."""
    error = block_counts(predicted - target, block) / DENSITY_SCALE
    expected = block_counts(predicted.detach(), block) / DENSITY_SCALE
    return (error**2 / (expected + 1.0)).sum(dim=(1, 2, 3)).mean()


def density_loss(
    predicted: torch.Tensor,
    targets: torch.Tensor,
    weights: torch.Tensor,
    count_weight: float,
    local_blocks: tuple[int, ...] = (),
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean squared error over annotated cells (in DENSITY_SCALE units), plus each image's
    count error in people, which keeps the total honest where the map is right in shape but
    off in mass. All three maps are (B, 1, h, w); `targets` in people per cell, `weights` the
    annotated share of each cell. Returns the loss and the mean absolute count error (people).

    With `local_blocks`, every block of that many cells adds its count error too (averaged over
    the block sizes): the whole-image term is satisfied by a map whose errors cancel across the
    frame, while an operator's region is a part of it. A block's error is squared and divided
    by the people the block is predicted to hold, plus one: Pearson's chi-squared for counts,
    whose spread grows with their mean, so ShanghaiTech A's dense blocks do not drown Mall's
    sparse ones. The divisor is the prediction's and carries no gradient, so the pull ends at
    the expected count. An absolute error (tried first, stages 24-25) pulls toward the median
    instead, which for sparse blocks is below the mean: it undercounted every dataset.
    """
    masked = predicted * weights
    target = targets * DENSITY_SCALE * weights
    squared = ((masked - target) ** 2).mean()
    count_error = (masked.sum(dim=(1, 2, 3)) - target.sum(dim=(1, 2, 3))).abs().mean()
    count_error = count_error / DENSITY_SCALE
    counting = count_error
    if local_blocks:
        local = sum(block_chi_squared(masked, target, block) for block in local_blocks)
        counting = counting + local / len(local_blocks)
    return squared + count_weight * counting, count_error
