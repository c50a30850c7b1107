"""The Gaussian-target density loss and its block counts, on hand-made grids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training import frozen  # noqa: E402
from monitor.training import train as train_module  # noqa: E402
from monitor.training.loss import LOCAL_BLOCKS, block_counts, density_loss  # noqa: E402
from monitor.training.model import DENSITY_SCALE  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402
from tests.training.tiny_run import tiny_run  # noqa: E402


def people_at(shape: tuple[int, int], people: dict[tuple[int, int], float]) -> Any:
    """A (1, 1, h, w) map in people per cell with `people` at the given (row, col)."""
    grid = torch.zeros((1, 1, *shape))
    for (row, col), value in people.items():
        grid[0, 0, row, col] = value
    return grid


@pytest.mark.parametrize(
    ("shape", "block", "blocks_shape"),
    [
        pytest.param((8, 8), 4, (2, 2), id="exact"),
        pytest.param((9, 6), 4, (3, 2), id="ragged"),
        pytest.param((3, 5), 16, (1, 1), id="smaller-than-a-block"),
    ],
)
def test_block_counts_share_out_every_cell_once(
    shape: tuple[int, int], block: int, blocks_shape: tuple[int, int]
) -> None:
    generator = torch.Generator().manual_seed(0)
    density = torch.rand((2, 1, *shape), generator=generator)
    counts = block_counts(density, block)
    assert counts.shape == (2, 1, *blocks_shape)
    torch.testing.assert_close(counts.sum(dim=(1, 2, 3)), density.sum(dim=(1, 2, 3)))
    # The bottom-right cell lands in the last block, whole.
    corner = torch.zeros_like(density)
    corner[..., -1, -1] = 1.0
    assert float(block_counts(corner, block)[0, 0, -1, -1]) == pytest.approx(1.0)


def loss_of(
    predicted_people: Any, target: Any, blocks: tuple[int, ...], weights: Any = None
) -> Any:
    weights = torch.ones_like(target) if weights is None else weights
    loss, _ = density_loss(predicted_people * DENSITY_SCALE, target, weights, 1.0, blocks)
    return loss


def test_without_blocks_the_loss_is_squared_error_plus_the_count_error() -> None:
    target = people_at((8, 8), {(1, 1): 1.0, (6, 6): 1.0})
    predicted = people_at((8, 8), {(1, 1): 0.5})
    loss, count_error = density_loss(
        predicted * DENSITY_SCALE, target, torch.ones_like(target), 2.0
    )
    squared = (0.5**2 + 1.0**2) * DENSITY_SCALE**2 / 64
    assert float(count_error) == pytest.approx(1.5)
    assert float(loss) == pytest.approx(squared + 2.0 * 1.5)


@pytest.mark.parametrize(
    ("moved_to", "block_error"),
    [
        # One person drawn 8 cells away: right in total, wrong in two 4-cell blocks and in no
        # 16-cell one. The block missing them costs 1^2 / (0 + 1), the block with one too many
        # 1^2 / (1 + 1): (1.5 + 0) / 2 block sizes.
        pytest.param((1, 9), 0.75, id="misplaced-beyond-a-head"),
        # Drawn 20 cells away: wrong at both block sizes: (1.5 + 1.5) / 2.
        pytest.param((1, 21), 1.5, id="misplaced-beyond-a-group"),
        # Drawn one cell away, inside the same blocks: nothing for the counts to judge.
        pytest.param((1, 2), 0.0, id="within-its-block"),
    ],
)
def test_block_counts_judge_where_the_people_are(
    moved_to: tuple[int, int], block_error: float
) -> None:
    target = people_at((32, 32), {(1, 1): 1.0})
    predicted = people_at((32, 32), {moved_to: 1.0})
    plain = loss_of(predicted, target, ())
    local = loss_of(predicted, target, (4, 16))
    assert float(local - plain) == pytest.approx(block_error, abs=1e-4)


def test_block_counts_skip_unannotated_cells() -> None:
    target = people_at((16, 16), {(1, 1): 1.0})
    predicted = people_at((16, 16), {(1, 1): 1.0, (12, 12): 3.0})
    outside = torch.ones_like(target)
    outside[..., 8:, 8:] = 0.0
    assert float(loss_of(predicted, target, LOCAL_BLOCKS, outside)) == pytest.approx(0.0)
    assert float(loss_of(predicted, target, LOCAL_BLOCKS)) > 0.0


def block_gradient(predicted: Any, target: Any) -> Any:
    """The gradient the block counts add to the plain loss's, per cell."""
    gradients = []
    for blocks in ((), (4,)):
        cells = predicted.clone().requires_grad_(True)
        loss_of(cells, target, blocks).backward()
        gradients.append(cells.grad)
    return gradients[1] - gradients[0]


def test_block_counts_pull_on_every_cell_of_a_wrong_block() -> None:
    """The squared term pulls only on the cells that differ; a block's count pulls on all of
    its cells, so a head drawn one block off is moved back even where the map is flat."""
    target = people_at((16, 16), {(2, 2): 1.0})
    predicted = people_at((16, 16), {(2, 10): 1.0})
    gradient = block_gradient(predicted, target)[0, 0]
    ones = torch.ones((4, 4))
    # 2 x error / (predicted + 1): -2 / 1 where nobody is predicted, +2 / 2 where one is.
    torch.testing.assert_close(gradient[0:4, 0:4], -2 * ones)  # the block missing a person
    torch.testing.assert_close(gradient[0:4, 8:12], ones)  # the block with one too many
    assert float(gradient[0:4, 4:8].abs().max()) == 0.0  # a right block is left alone
    assert float(gradient[4:, :].abs().max()) == 0.0


@pytest.mark.parametrize(
    ("predicted_people", "pull"),
    [
        # Blocks that hold one person a third of the time: the mean is 1/3, the median 0.
        pytest.param(1 / 3, 0.0, id="at-the-mean-it-rests"),
        pytest.param(0.0, -1.0, id="at-the-median-it-pulls-up"),
        pytest.param(1.0, 1.0, id="above-the-mean-it-pulls-down"),
    ],
)
def test_sparse_blocks_are_pulled_to_their_mean_not_their_median(
    predicted_people: float, pull: float
) -> None:
    """Three images of one block, one of them with a person in it: an absolute error would
    rest anywhere from 0 to the median and undercount; the chi-squared rests at the mean."""
    target = torch.zeros((3, 1, 4, 4))
    target[2, 0, 1, 1] = 1.0
    predicted = torch.full((3, 1, 4, 4), predicted_people / 16)
    total_pull = float(block_gradient(predicted, target).sum())
    # Float rounding leaves ~1e-4 of a pull of ~10 either side of the mean.
    assert total_pull == pytest.approx(0.0, abs=1e-3) if pull == 0.0 else total_pull * pull > 1.0


@pytest.mark.parametrize(
    ("loop", "loss", "blocks"),
    [
        pytest.param("crops", "local", LOCAL_BLOCKS, id="crops-local"),
        pytest.param("crops", "mse", (), id="crops-mse"),
        pytest.param("frozen", "local", LOCAL_BLOCKS, id="frozen-local"),
        pytest.param("frozen", "mse", (), id="frozen-mse"),
    ],
)
def test_each_loop_counts_blocks_only_with_the_local_loss(
    loop: str,
    loss: str,
    blocks: tuple[int, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, ...]] = []
    module = frozen if loop == "frozen" else train_module
    real_loss = module.density_loss

    def recording_loss(*args: Any) -> Any:
        seen.append(args[4])
        return real_loss(*args)

    monkeypatch.setattr(module, "density_loss", recording_loss)
    write_crowd_folder(tmp_path / "data")
    out = tiny_run(tmp_path, "--loss", loss, frozen_backbone=loop == "frozen")
    assert json.loads(out.with_suffix(".json").read_text())["config"]["loss"] == loss
    assert len(seen) >= 2
    assert set(seen) == {blocks}
