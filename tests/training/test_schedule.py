from __future__ import annotations

import pytest

from monitor.training.schedule import run_progress


@pytest.mark.parametrize(
    ("step", "elapsed_s", "steps", "budget_s", "expected"),
    [
        pytest.param(0, 500.0, 4, 10.0, 0.0, id="fixed-steps-ignore-the-clock"),
        pytest.param(3, 0.0, 4, 10.0, 0.75, id="fixed-steps-last-one"),
        pytest.param(4, 0.0, 4, 10.0, None, id="fixed-steps-done"),
        pytest.param(99, 2.5, None, 10.0, 0.25, id="clock-ignores-steps"),
        pytest.param(0, 10.0, None, 10.0, None, id="clock-budget-spent"),
    ],
)
def test_progress_follows_steps_when_fixed_else_the_clock(
    step: int, elapsed_s: float, steps: int | None, budget_s: float, expected: float | None
) -> None:
    assert run_progress(step, elapsed_s, steps, budget_s) == expected
