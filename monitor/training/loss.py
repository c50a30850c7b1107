"""The density loss, shared by the crop loop and the frozen-backbone loop."""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: N812 - the conventional alias

from monitor.training.model import DENSITY_SCALE

# The "local" loss's blocks, in stride-8 cells: 32 and 128 pixels, about a head and a group of
# heads at ShanghaiTech B's scale.
LOCAL_BLOCKS = (4, 16)


def block_counts(density: torch.Tensor, block: int) -> torch.Tensor:
    """(B, 1, h, w) -> the sums over block x block cells, the map zero-padded at its right and
    bottom edges so every cell falls in exactly one block."""
    height, width = density.shape[-2:]
    padded = F.pad(density, (0, -width % block, 0, -height % block))
    return F.avg_pool2d(padded, block) * (block * block)


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

    With `local_blocks`, the count error of every block of that many cells is added too (summed
    over the image's blocks, averaged over the block sizes): the whole-image term is satisfied
    by a map whose errors cancel across the frame, while an operator's region is a part of it.
    Per cell it pulls as hard as the whole-image term, toward the local rather than the global
    sign of the error."""
    masked = predicted * weights
    target = targets * DENSITY_SCALE * weights
    squared = ((masked - target) ** 2).mean()
    count_error = (masked.sum(dim=(1, 2, 3)) - target.sum(dim=(1, 2, 3))).abs().mean()
    count_error = count_error / DENSITY_SCALE
    counting = count_error
    if local_blocks:
        local = sum(
            (block_counts(masked - target, block).abs().sum(dim=(1, 2, 3)).mean())
            for block in local_blocks
        )
        counting = counting + local / (len(local_blocks) * DENSITY_SCALE)
    return squared + count_weight * counting, count_error
