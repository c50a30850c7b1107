"""Bayesian loss (Ma, Wei, Hong, Gong: "Bayesian Loss for Crowd Count Estimation with Point
Supervision", ICCV 2019), in its "BL+" form with a background term.

The Gaussian targets of loss.py claim to know how each head's mass spreads over the cells;
they do not (the kernel width is a guess, and a wrong one is a wrong target). This loss asks
only what the annotation knows: each cell's density is shared among the heads near it by
their posterior probability, and each head's expected share must come to one person. Cells
far from every head belong to a background pseudo-head whose expected count must be zero.
"""

from __future__ import annotations

import torch

from monitor.training.model import DENSITY_SCALE

# The official code's values for ShanghaiTech: an 8-pixel likelihood and a background whose
# squared distance is 512**2 over the squared distance to the nearest head, so background wins
# a cell beyond sqrt(512) ~ 23 pixels from every head.
LIKELIHOOD_SIGMA_PX = 8.0
BACKGROUND_DISTANCE_PX = 512.0


def cell_centres(grid_shape: tuple[int, int], stride: int) -> torch.Tensor:
    """(rows * cols, 2) pixel (x, y) of each cell's centre, row by row."""
    rows, cols = grid_shape
    ys = (torch.arange(rows, dtype=torch.float32) + 0.5) * stride
    xs = (torch.arange(cols, dtype=torch.float32) + 0.5) * stride
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([grid_x.reshape(-1), grid_y.reshape(-1)], dim=1)


def head_posteriors(
    points: torch.Tensor,
    grid_shape: tuple[int, int],
    stride: int,
    sigma: float = LIKELIHOOD_SIGMA_PX,
    background_distance: float = BACKGROUND_DISTANCE_PX,
) -> torch.Tensor:
    """(N + 1, cells): for each cell, the probability that its people belong to each of the N
    heads `points` (N, 2) or, last row, to the background. Each column sums to one."""
    centres = cell_centres(grid_shape, stride).to(points.device)
    squared = torch.cdist(points.float(), centres).square()
    nearest = squared.min(dim=0, keepdim=True).values.clamp(min=0.0)
    background = background_distance**2 / (nearest + 1e-5)
    logits = -torch.cat([squared, background], dim=0) / (2.0 * sigma**2)
    return torch.softmax(logits, dim=0)


def bayesian_loss(
    predicted: torch.Tensor,
    points: list[torch.Tensor],
    weights: torch.Tensor,
    stride: int,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean over the batch of sum |1 - expected people| per head plus the background's
    expected people. `predicted` and `weights` are (B, 1, h, w): density in DENSITY_SCALE units
    and the annotated share of each cell (outside it, the density is not judged); `points`
    one (N, 2) tensor per image in input pixels. Returns the loss and the mean absolute count
    error (people)."""
    batch, _, rows, cols = predicted.shape
    people = (predicted * weights).reshape(batch, -1) / DENSITY_SCALE
    losses = []
    for index in range(batch):
        heads = points[index]
        if len(heads) == 0:
            losses.append(people[index].sum())
            continue
        posterior = head_posteriors(heads.to(predicted.device), (rows, cols), stride)
        expected = posterior @ people[index]
        target = torch.ones_like(expected)
        target[-1] = 0.0
        losses.append((target - expected).abs().sum())
    counts = torch.tensor([float(len(p)) for p in points], device=predicted.device)
    count_error = (people.sum(dim=1) - counts).abs().mean()
    return torch.stack(losses).mean(), count_error
