from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.density.base import DensityEstimator
from monitor.density.classic import ClassicDensityEstimator, fit_classic
from tests.density.synthetic import scene


@pytest.fixture(scope="module")
def fitted() -> ClassicDensityEstimator:
    rng = np.random.default_rng(0)
    scenes = [scene(rng, n) for n in (5, 10, 15, 20, 25, 30, 8, 12)]
    return fit_classic([s[0] for s in scenes], [s[1] for s in scenes], max_iter=60)


def test_classic_counts_unseen_synthetic_frames(fitted: ClassicDensityEstimator) -> None:
    rng = np.random.default_rng(42)
    for n in (7, 22):
        frame, _ = scene(rng, n)
        density = fitted.estimate(frame)
        assert density.count == pytest.approx(n, abs=max(3.0, 0.25 * n))
        assert density.frame_size == (320, 240)
        assert (density.values >= 0).all()


def test_classic_is_a_density_estimator(fitted: ClassicDensityEstimator) -> None:
    assert isinstance(fitted, DensityEstimator)
    assert fitted.name == "classic"


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((320, 240), id="training-size"),
        pytest.param((640, 480), id="larger"),
        pytest.param((577, 433), id="odd-size"),
    ],
)
def test_save_load_round_trip(
    fitted: ClassicDensityEstimator, tmp_path: Path, size: tuple[int, int]
) -> None:
    path = tmp_path / "site.joblib"
    fitted.save(path)
    loaded = ClassicDensityEstimator.load(path)
    frame, _ = scene(np.random.default_rng(5), 10, size)
    np.testing.assert_array_equal(fitted.estimate(frame).values, loaded.estimate(frame).values)


def test_load_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.joblib"
    path.write_bytes(b"not a model")
    with pytest.raises(ValueError, match="cannot load classic model"):
        ClassicDensityEstimator.load(path)


def test_fit_needs_points_per_frame() -> None:
    with pytest.raises(ValueError, match="one array of head points per frame"):
        fit_classic([np.zeros((10, 10, 3), dtype=np.uint8)], [])
