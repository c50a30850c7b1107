from __future__ import annotations

from itertools import islice

import pytest

from monitor.ingest.backoff import Backoff


def test_delays_double_up_to_the_cap_and_never_end() -> None:
    assert list(islice(Backoff().delays(), 8)) == [1, 2, 4, 8, 16, 30, 30, 30]


@pytest.mark.parametrize(
    ("initial", "maximum", "factor"),
    [
        pytest.param(0.0, 1.0, 2.0, id="zero-initial"),
        pytest.param(2.0, 1.0, 2.0, id="initial-above-max"),
        pytest.param(1.0, 2.0, 0.5, id="shrinking"),
    ],
)
def test_invalid_policies_are_rejected(initial: float, maximum: float, factor: float) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is covered by reading it
        Backoff(initial, maximum, factor)
