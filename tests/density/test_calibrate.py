from __future__ import annotations

import pytest

from monitor.density.calibrate import fit_count_scale, leave_one_out_scaled, scale_snippet


@pytest.mark.parametrize(
    ("predicted", "true", "expected"),
    [
        pytest.param([10, 20, 30], [12, 24, 36], 1.2, id="proportional"),
        pytest.param([10, 20], [10, 20], 1.0, id="already-right"),
        pytest.param([0, 0], [5, 5], 1.0, id="nothing-predicted"),
        pytest.param([1, 1], [100, 100], 20.0, id="clipped-high"),
        pytest.param([100], [1], 0.05, id="clipped-low"),
    ],
)
def test_fit_count_scale(predicted: list[float], true: list[float], expected: float) -> None:
    assert fit_count_scale(predicted, true) == pytest.approx(expected)


def test_leave_one_out_uses_the_other_frames() -> None:
    scaled = leave_one_out_scaled([10, 10, 20], [20, 20, 40])
    assert scaled == pytest.approx([20, 20, 40])


def test_snippet_is_valid_yaml_for_a_site() -> None:
    import yaml

    parsed = yaml.safe_load(scale_snippet(1.25, "north-gate"))
    assert parsed == [{"id": "north-gate", "count_scale": 1.25}]
    assert yaml.safe_load(scale_snippet(0.5)) == {"count_scale": 0.5}
