from __future__ import annotations

import pytest

from bench.live_bench import minute_medians


@pytest.mark.parametrize(
    ("samples", "every", "expected"),
    [
        pytest.param([1, 2, 3, 4, 5, 60, 7, 8, 9, 10, 11, 12], 10.0, [3.5, 9.5], id="two-minutes"),
        pytest.param([1, 2, 3, 4, 5, 6, 7, 8], 10.0, [3.5], id="partial-minute-dropped"),
        pytest.param([5, 1, 9, 3], 30.0, [3.0, 6.0], id="two-samples-a-minute"),
        pytest.param([1, 2, 3], 10.0, [], id="under-a-minute"),
    ],
)
def test_minute_medians(samples: list[float], every: float, expected: list[float]) -> None:
    assert minute_medians(samples, every) == expected
