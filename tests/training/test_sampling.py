"""Which dataset a crop or view is drawn from: `--dataset-weight`, and both loops obeying it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitor.training.sampling import draw_probabilities, draw_set, parse_dataset_weights

torch = pytest.importorskip("torch", reason="the training loops need the train extra (torch)")

from monitor.training import train as train_module  # noqa: E402
from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.augment import random_view as real_view  # noqa: E402
from monitor.training.data import dataset_folders, load_set  # noqa: E402
from monitor.training.frozen import fit_decoder as real_fit  # noqa: E402
from monitor.training.train import TrainConfig, make_batch  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402
from tests.training.tiny_run import tiny_run  # noqa: E402


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([], {}, id="none"),
        pytest.param(["shanghaitech_b=2"], {"shanghaitech_b": 2.0}, id="one"),
        pytest.param(["mall=0.5", "b=3"], {"mall": 0.5, "b": 3.0}, id="two"),
    ],
)
def test_dataset_weights_parse(values: list[str], expected: dict[str, float]) -> None:
    assert parse_dataset_weights(values) == expected


@pytest.mark.parametrize(
    ("values", "message"),
    [
        pytest.param(["mall"], "wants NAME=WEIGHT", id="no-equals"),
        pytest.param(["=2"], "wants NAME=WEIGHT", id="no-name"),
        pytest.param(["mall=lots"], "'lots' is not a number", id="not-a-number"),
        pytest.param(["mall=0"], "must be above 0", id="zero"),
        pytest.param(["mall=-1"], "must be above 0", id="negative"),
        pytest.param(["mall=inf"], "must be above 0", id="infinite"),
        pytest.param(["mall=1", "mall=2"], "'mall' twice", id="twice"),
    ],
)
def test_bad_dataset_weights_are_refused_by_item(values: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_dataset_weights(values)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        pytest.param({}, None, id="unweighted-stays-even"),
        pytest.param({"a": 3.0, "b": 3.0}, None, id="equal-weights-stay-even"),
        pytest.param({"b": 3.0}, (0.25, 0.75), id="unnamed-weighs-one"),
        pytest.param({"a": 1.0, "b": 4.0}, (0.2, 0.8), id="both-named"),
    ],
)
def test_draw_probabilities(weights: dict[str, float], expected: tuple[float, ...] | None) -> None:
    probabilities = draw_probabilities(["a", "b"], weights)
    if expected is None:
        assert probabilities is None
    else:
        assert probabilities == pytest.approx(expected)


def test_a_weight_for_a_dataset_not_in_use_is_refused() -> None:
    with pytest.raises(ValueError, match=r"names shanghaitech_c, not among .*\(a, b\)"):
        draw_probabilities(["a", "b"], {"shanghaitech_c": 2.0})


def test_the_even_draw_is_the_historical_one() -> None:
    # Recipes on the card were run with rng.integers: without weights, the same seed must
    # still draw the same datasets in the same order.
    rng, reference = np.random.default_rng(7), np.random.default_rng(7)
    drawn = [draw_set(rng, 3, None) for _ in range(50)]
    assert drawn == [int(reference.integers(3)) for _ in range(50)]


def test_a_weighted_draw_follows_its_probabilities() -> None:
    rng = np.random.default_rng(0)
    counts = np.bincount([draw_set(rng, 2, (0.2, 0.8)) for _ in range(4000)], minlength=2)
    assert counts[1] / counts.sum() == pytest.approx(0.8, abs=0.03)


def _two_sets(root: Path) -> list[Any]:
    """Two datasets told apart by their image sides (96 and 64 px)."""
    for name, side in (("large", 96), ("small", 64)):
        write_crowd_folder(root / "staging" / name, side=side).rename(root / "data" / name)
    return [load_set(folder, "all") for folder in dataset_folders(root / "data", None)]


@pytest.fixture
def two_sets(tmp_path: Path) -> list[Any]:
    (tmp_path / "data").mkdir()
    return _two_sets(tmp_path)


def test_the_crop_loop_draws_by_the_probabilities(
    two_sets: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [annotated.name for annotated in two_sets] == ["large", "small"]
    sides: list[int] = []

    def recording_view(image: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        sides.append(image.shape[1])
        return real_view(image, *args, **kwargs)

    monkeypatch.setattr(train_module, "random_view", recording_view)
    config = TrainConfig(
        data=tmp_path,
        out=tmp_path / "x.onnx",
        batch=400,
        crop=32,
        blank_share=0.0,
        dataset_weights={"small": 9.0},
    )
    make_batch(two_sets, config, np.random.default_rng(0))
    assert sides.count(64) / len(sides) == pytest.approx(0.9, abs=0.05)


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        pytest.param("nosuch=2", "names nosuch, not among the datasets in use", id="unknown"),
        pytest.param("large", "wants NAME=WEIGHT", id="malformed"),
    ],
)
def test_the_command_refuses_a_bad_dataset_weight(
    weight: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data").mkdir()
    _two_sets(tmp_path)
    argv = ["--data", str(tmp_path / "data"), "--dataset-weight", weight, "--steps", "1"]
    assert train_main([*argv, "--out", str(tmp_path / "m.onnx")]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "frozen_backbone", [pytest.param(False, id="crop-loop"), pytest.param(True, id="frozen")]
)
def test_the_command_trains_with_its_weights(
    frozen_backbone: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "data").mkdir()
    _two_sets(tmp_path)
    weights_seen: list[dict[str, float]] = []
    chances_seen: list[tuple[float, ...] | None] = []
    real_batch = train_module.make_batch

    def recording_batch(sets: Any, config: TrainConfig, rng: Any) -> Any:
        weights_seen.append(config.dataset_weights)
        return real_batch(sets, config, rng)

    def recording_fit(*args: Any) -> int:
        chances_seen.append(args[4].set_probabilities)
        return real_fit(*args)

    monkeypatch.setattr(train_module, "make_batch", recording_batch)
    monkeypatch.setattr(train_module, "fit_decoder", recording_fit)
    out = tiny_run(tmp_path, "--dataset-weight", "small=3", frozen_backbone=frozen_backbone)
    if frozen_backbone:
        # "large" and "small", in folder order: small drawn three times as often.
        assert chances_seen == [pytest.approx((0.25, 0.75))]
    else:
        assert weights_seen
        assert all(weights == {"small": 3.0} for weights in weights_seen)
    assert "'small': 3.0" in out.with_suffix(".json").read_text()
