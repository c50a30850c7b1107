"""The training losses by name. Torch-free, so the service's CLI can offer the choice."""

from __future__ import annotations

from typing import Literal, get_args

# "mse": Gaussian density targets (loss.py); "bayesian": point supervision (bayesian.py).
LossName = Literal["mse", "bayesian"]
LOSSES: tuple[LossName, ...] = get_args(LossName)
