"""The Bayesian loss on hand-made density grids, and both training loops using it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training import frozen  # noqa: E402
from monitor.training import train as train_module  # noqa: E402
from monitor.training.bayesian import bayesian_loss, cell_centres, head_posteriors  # noqa: E402
from monitor.training.data import dataset_folders, load_set  # noqa: E402
from monitor.training.model import DENSITY_SCALE  # noqa: E402
from monitor.training.options import add_train_arguments  # noqa: E402
from monitor.training.targets import density_target  # noqa: E402
from monitor.training.train import TrainConfig, make_batch  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402
from tests.training.tiny_run import tiny_run  # noqa: E402

STRIDE = 8
GRID = (16, 16)


def density_with(people: dict[tuple[int, int], float]) -> Any:
    """A (1, 1, 16, 16) map in the network's units with `people` at the given (row, col)."""
    grid = torch.zeros((1, 1, *GRID))
    for (row, col), value in people.items():
        grid[0, 0, row, col] = value * DENSITY_SCALE
    return grid


def centre_of(row: int, col: int) -> list[float]:
    return [(col + 0.5) * STRIDE, (row + 0.5) * STRIDE]


def test_cell_centres_run_row_by_row() -> None:
    centres = cell_centres((2, 3), 8)
    assert centres.tolist() == [
        [4.0, 4.0],
        [12.0, 4.0],
        [20.0, 4.0],
        [4.0, 12.0],
        [12.0, 12.0],
        [20.0, 12.0],
    ]


def test_posteriors_share_each_cell_between_heads_and_background() -> None:
    heads = torch.tensor([centre_of(2, 2), centre_of(2, 4), centre_of(12, 12)])
    posterior = head_posteriors(heads, GRID, STRIDE)
    assert posterior.shape == (4, GRID[0] * GRID[1])
    assert torch.allclose(posterior.sum(dim=0), torch.ones(GRID[0] * GRID[1]))
    cells = posterior.reshape(4, *GRID)
    # A head's own cell is its own; the cell between two heads is split evenly; a corner far
    # from every head is background.
    assert float(cells[2, 12, 12]) > 0.99
    assert float(cells[0, 2, 3]) == pytest.approx(float(cells[1, 2, 3]), abs=1e-6)
    assert float(cells[0, 2, 3]) > 0.4
    assert float(cells[3, 15, 0]) > 0.99


@pytest.mark.parametrize(
    ("people", "loss_range", "count_error"),
    [
        pytest.param({(2, 2): 1.0, (12, 12): 1.0}, (0.0, 0.01), 0.0, id="one-person-at-each-head"),
        pytest.param({(12, 12): 1.0}, (0.99, 1.01), 1.0, id="a-head-left-empty"),
        pytest.param({(2, 2): 2.0, (12, 12): 1.0}, (0.99, 1.01), 1.0, id="a-head-counted-twice"),
        pytest.param(
            {(2, 2): 1.0, (12, 12): 1.0, (15, 0): 3.0}, (2.99, 3.01), 3.0, id="people-in-nowhere"
        ),
    ],
)
def test_loss_is_the_people_missing_or_extra_per_head(
    people: dict[tuple[int, int], float],
    loss_range: tuple[float, float],
    count_error: float,
) -> None:
    heads = torch.tensor([centre_of(2, 2), centre_of(12, 12)])
    loss, error = bayesian_loss(density_with(people), [heads], torch.ones((1, 1, *GRID)), STRIDE)
    assert loss_range[0] <= float(loss) <= loss_range[1]
    assert float(error) == pytest.approx(count_error, abs=1e-4)


def test_unannotated_cells_are_not_judged() -> None:
    heads = torch.tensor([centre_of(2, 2)])
    weights = torch.ones((1, 1, *GRID))
    weights[0, 0, 8:, :] = 0.0
    outside = density_with({(2, 2): 1.0, (12, 12): 5.0})
    loss, error = bayesian_loss(outside, [heads], weights, STRIDE)
    assert float(loss) < 0.01
    assert float(error) == pytest.approx(0.0, abs=1e-4)


def test_an_empty_frame_costs_every_person_in_it() -> None:
    loss, error = bayesian_loss(
        density_with({(4, 4): 1.5, (9, 9): 0.5}),
        [torch.zeros((0, 2))],
        torch.ones((1, 1, *GRID)),
        STRIDE,
    )
    assert float(loss) == pytest.approx(2.0, abs=1e-4)
    assert float(error) == pytest.approx(2.0, abs=1e-4)


def test_the_batch_loss_is_the_mean_of_its_images() -> None:
    heads = torch.tensor([centre_of(2, 2)])
    empty = density_with({})
    right = density_with({(2, 2): 1.0})
    loss, error = bayesian_loss(
        torch.cat([empty, right]), [heads, heads], torch.ones((2, 1, *GRID)), STRIDE
    )
    assert float(loss) == pytest.approx(0.5, abs=1e-3)
    assert float(error) == pytest.approx(0.5, abs=1e-4)


def test_descending_the_loss_puts_one_person_at_each_head() -> None:
    heads = torch.tensor([centre_of(3, 3), centre_of(3, 5), centre_of(11, 9)])
    logits = torch.full((1, 1, *GRID), -3.0, requires_grad=True)
    optimiser = torch.optim.Adam([logits], lr=0.05)
    for _ in range(400):
        optimiser.zero_grad()
        loss, _ = bayesian_loss(
            torch.nn.functional.softplus(logits) * DENSITY_SCALE / 10,
            [heads],
            torch.ones((1, 1, *GRID)),
            STRIDE,
        )
        loss.backward()  # type: ignore[no-untyped-call]
        optimiser.step()
    people = (torch.nn.functional.softplus(logits) / 10).detach()[0, 0]
    assert float(people.sum()) == pytest.approx(3.0, abs=0.1)
    assert float(people[8:14, 6:12].sum()) == pytest.approx(1.0, abs=0.1)
    assert float(people[:, 13:].sum()) < 0.05


def test_crops_carry_their_heads_in_crop_pixels(tmp_path: Path) -> None:
    write_crowd_folder(tmp_path)
    sets = [load_set(f, "all") for f in dataset_folders(tmp_path, None)]
    config = TrainConfig(data=tmp_path, out=tmp_path / "x.onnx", batch=6, crop=64, blank_share=0)
    batch = make_batch(sets, config, np.random.default_rng(3))
    assert len(batch.points) == 6
    assert sum(len(points) for points in batch.points) > 0
    for points, target in zip(batch.points, batch.targets, strict=True):
        assert points.shape[1] == 2
        assert bool(((points >= 0) & (points < 64)).all())
        # The heads the loss sees are the ones the density target was drawn from.
        sigmas = np.full(len(points), 4.0, dtype=np.float32)
        redrawn = density_target(points.numpy(), sigmas, (64, 64), STRIDE)
        assert float(target.sum()) == pytest.approx(float(redrawn.sum()), abs=1e-3)


@pytest.mark.parametrize(
    ("loop", "loss", "bayesian_calls"),
    [
        pytest.param("crops", "bayesian", True, id="crops-bayesian"),
        pytest.param("crops", "mse", False, id="crops-mse"),
        pytest.param("frozen", "bayesian", True, id="frozen-bayesian"),
        pytest.param("frozen", "mse", False, id="frozen-mse"),
    ],
)
def test_each_loop_trains_with_the_chosen_loss(
    loop: str, loss: str, bayesian_calls: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    module = frozen if loop == "frozen" else train_module
    real_loss = module.bayesian_loss

    def counting_loss(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real_loss(*args, **kwargs)

    monkeypatch.setattr(module, "bayesian_loss", counting_loss)
    write_crowd_folder(tmp_path / "data")
    out = tiny_run(tmp_path, "--loss", loss, frozen_backbone=loop == "frozen")
    assert json.loads(out.with_suffix(".json").read_text())["config"]["loss"] == loss
    assert bool(calls) == bayesian_calls
    if bayesian_calls:
        assert len(calls) >= 2


def test_an_unknown_loss_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--loss", "l1"])
    assert "invalid choice: 'l1'" in capsys.readouterr().err
