from __future__ import annotations

import numpy as np
import pytest

from monitor.training.targets import adaptive_sigmas, density_target, fixed_sigmas, sigmas_for


@pytest.mark.parametrize(
    ("n", "mode"),
    [
        pytest.param(0, "adaptive", id="empty"),
        pytest.param(1, "adaptive", id="lone-head"),
        pytest.param(40, "adaptive", id="adaptive"),
        pytest.param(40, "fixed", id="fixed"),
        pytest.param(2000, "adaptive", id="dense"),
    ],
)
def test_target_sums_to_head_count(n: int, mode: str) -> None:
    rng = np.random.default_rng(n)
    points = rng.uniform([0, 0], [256, 256], (n, 2)).astype(np.float32)
    sigmas = sigmas_for(points, mode, 6.0)  # type: ignore[arg-type]
    target = density_target(points, sigmas, (256, 256), 8)
    assert target.shape == (32, 32)
    assert float(target.sum()) == pytest.approx(n, abs=1e-3 * max(1, n))


def test_adaptive_sigmas_follow_spacing() -> None:
    grid = np.stack(np.meshgrid(np.arange(10), np.arange(10)), -1).reshape(-1, 2).astype(np.float32)
    tight = adaptive_sigmas(grid * 5)
    loose = adaptive_sigmas(grid * 20)
    assert float(np.median(tight)) == pytest.approx(0.3 * 5, rel=0.2)
    assert np.median(loose) > np.median(tight)
    assert (adaptive_sigmas(grid * 1000) <= 20).all()


def test_fixed_sigmas() -> None:
    assert fixed_sigmas(np.zeros((3, 2), dtype=np.float32), 4.0).tolist() == [4.0, 4.0, 4.0]
