from __future__ import annotations

import pytest

from monitor.density.count_check import CheckedSample, error_at, fit_count_check, heads_inside

SQUARE = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
LEFT_HALF = [(0.0, 0.0), (50.0, 0.0), (50.0, 100.0), (0.0, 100.0)]


@pytest.mark.parametrize(
    ("heads", "exclude", "counted"),
    [
        pytest.param([(10, 10), (90, 90)], [], 2, id="inside"),
        pytest.param([(10, 10), (150, 50), (-1, 50)], [], 1, id="outside-is-not-counted"),
        pytest.param([(0, 50), (100, 100)], [], 2, id="on-the-edge-counts"),
        pytest.param([(10, 10), (90, 90)], [LEFT_HALF], 1, id="excluded-is-not-counted"),
        pytest.param([(10, 10)], [[(0, 0), (5, 5)]], 1, id="a-degenerate-exclusion-is-ignored"),
        pytest.param([], [], 0, id="none"),
    ],
)
def test_heads_inside_the_counted_region(
    heads: list[tuple[float, float]], exclude: list[list[tuple[float, float]]], counted: int
) -> None:
    assert heads_inside(heads, SQUARE, exclude) == counted


def test_the_fit_corrects_a_model_that_counts_low() -> None:
    # The model sees 80% of the people on every frame.
    samples = [CheckedSample(0.8 * n, n) for n in (10, 20, 40)]
    fit = fit_count_check(samples, current_scale=1.0)
    assert fit.scale == pytest.approx(1.25)
    assert fit.mae_now == pytest.approx((2 + 4 + 8) / 3)
    assert fit.mae_fitted == pytest.approx(0.0, abs=1e-9)
    assert fit.mae_held_out == pytest.approx(0.0, abs=1e-9)
    assert fit.counted_now == pytest.approx([8, 16, 32])
    assert fit.counted_fitted == pytest.approx([10, 20, 40])


def test_the_error_now_uses_the_scale_in_force_on_raw_counts() -> None:
    samples = [CheckedSample(8.0, 10), CheckedSample(16.0, 20)]
    fit = fit_count_check(samples, current_scale=1.25)
    assert fit.mae_now == pytest.approx(0.0)
    assert fit.scale == pytest.approx(1.25)
    assert fit.mae_held_out is None  # two samples: nothing honest to hold out


def test_held_out_error_is_worse_than_the_fitted_one_on_noisy_samples() -> None:
    samples = [CheckedSample(10.0, 12), CheckedSample(10.0, 9), CheckedSample(20.0, 26)]
    fit = fit_count_check(samples, current_scale=1.0)
    assert fit.mae_held_out is not None
    assert fit.mae_held_out > fit.mae_fitted


def test_no_samples_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        fit_count_check([], 1.0)


def test_the_error_at_a_given_scale() -> None:
    samples = [CheckedSample(4.0, 5), CheckedSample(4.0, 6)]
    assert error_at(samples, 1.25) == pytest.approx(0.5)
    assert error_at(samples, 1.0) == pytest.approx(1.5)
    with pytest.raises(ValueError, match="no samples"):
        error_at([], 1.0)
