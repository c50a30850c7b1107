"""Which dataset each training view or crop is drawn from. Torch-free, so the CLI can check
`--dataset-weight` before torch loads."""

from __future__ import annotations

import math

import numpy as np


def parse_dataset_weights(values: list[str]) -> dict[str, float]:
    """`NAME=WEIGHT` items -> {name: weight}; raises ValueError naming the bad item."""
    weights: dict[str, float] = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name:
            raise ValueError(f"--dataset-weight wants NAME=WEIGHT, got {value!r}")
        try:
            weight = float(text)
        except ValueError:
            raise ValueError(f"--dataset-weight {value!r}: {text!r} is not a number") from None
        if not (math.isfinite(weight) and weight > 0.0):
            raise ValueError(f"--dataset-weight {value!r}: the weight must be above 0")
        if name in weights:
            raise ValueError(f"--dataset-weight gives {name!r} twice")
        weights[name] = weight
    return weights


def draw_probabilities(names: list[str], weights: dict[str, float]) -> tuple[float, ...] | None:
    """The chance of drawing each of `names` (a dataset not named in `weights` weighs 1);
    None when every dataset weighs the same, so the draw stays the even one that earlier
    recipes were run with. Raises ValueError for a weight naming no dataset in use."""
    unknown = sorted(set(weights) - set(names))
    if unknown:
        raise ValueError(
            f"--dataset-weight names {', '.join(unknown)}, not among the datasets in use "
            f"({', '.join(names)})"
        )
    raw = [weights.get(name, 1.0) for name in names]
    if len(set(raw)) <= 1:
        return None
    total = sum(raw)
    return tuple(weight / total for weight in raw)


def draw_set(rng: np.random.Generator, count: int, probabilities: tuple[float, ...] | None) -> int:
    """Index of the dataset to draw from: evenly (as `rng.integers`, the historical draw) or by
    `probabilities`."""
    if probabilities is None:
        return int(rng.integers(count))
    return int(rng.choice(count, p=probabilities))
