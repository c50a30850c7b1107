from __future__ import annotations

import numpy as np
import pytest

from monitor.density.gaussian import splat_gaussians


@pytest.mark.parametrize(
    ("points", "sigma", "expected"),
    [
        pytest.param([[320.0, 240.0]], 4.0, 1.0, id="one-centre"),
        pytest.param([[0.5, 0.5]], 12.0, 1.0, id="corner-keeps-full-mass"),
        pytest.param([[100.0, 100.0], [101.0, 100.0], [400.0, 20.0]], 8.0, 3.0, id="three"),
        pytest.param([[50.0, 60.0]], 0.01, 1.0, id="much-smaller-than-a-cell"),
        pytest.param([[-5.0, 10.0], [10.0, 480.0]], 4.0, 0.0, id="outside-dropped"),
        pytest.param(np.zeros((0, 2)), 4.0, 0.0, id="none"),
    ],
)
def test_density_sums_to_head_count(
    points: list[list[float]], sigma: float, expected: float
) -> None:
    density = splat_gaussians(points, sigma, (640, 480), (60, 80))
    assert density.dtype == np.float32
    assert density.shape == (60, 80)
    assert (density >= 0).all()
    assert float(density.sum()) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    "grid",
    [
        pytest.param((1, 1), id="one-cell"),
        pytest.param((7, 9), id="uneven"),
        pytest.param((480, 640), id="per-pixel"),
    ],
)
def test_sum_independent_of_grid(grid: tuple[int, int]) -> None:
    rng = np.random.default_rng(1)
    points = rng.uniform([0, 0], [640, 480], (50, 2))
    sigmas = rng.uniform(1, 20, 50)
    assert float(splat_gaussians(points, sigmas, (640, 480), grid).sum()) == pytest.approx(
        50, abs=1e-3
    )


def test_mass_lands_at_the_point() -> None:
    density = splat_gaussians([[84.0, 36.0]], 3.0, (160, 80), (10, 20))
    row, col = np.unravel_index(int(np.argmax(density)), density.shape)
    assert (int(row), int(col)) == (4, 10)
    assert density[4, 10] == pytest.approx(density.max())


def test_count_invariant_to_frame_scale() -> None:
    rng = np.random.default_rng(2)
    points = rng.uniform([0, 0], [320, 240], (30, 2))
    small = splat_gaussians(points, 4.0, (320, 240), (30, 40))
    large = splat_gaussians(points * 2, 8.0, (640, 480), (30, 40))
    np.testing.assert_allclose(small, large, atol=1e-5)
