"""The training losses by name. Torch-free, so the service's CLI can offer the choice."""

from __future__ import annotations

from typing import Literal, get_args

# "mse": Gaussian density targets (loss.py); "local": the same plus every block's count
# (loss.py); "bayesian": point supervision (bayesian.py).
LossName = Literal["mse", "local", "bayesian"]
LOSSES: tuple[LossName, ...] = get_args(LossName)
