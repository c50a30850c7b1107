"""How far a training run is: by steps when fixed, else by the clock."""

from __future__ import annotations


def run_progress(step: int, elapsed_s: float, steps: int | None, budget_s: float) -> float | None:
    """Fraction of the run done (0..1), or None once it is over. With `steps` the schedule is
    fixed (reproducible); otherwise it follows the clock, so a CPU shared with other jobs
    still gets its whole budget."""
    if steps is not None:
        return step / steps if step < steps else None
    return elapsed_s / budget_s if elapsed_s < budget_s else None
