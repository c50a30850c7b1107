from __future__ import annotations

import pytest

from bench import health_bench


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param(0.04, 0.0, id="before-the-offline-hour"),
        pytest.param(0.1, 3595.5, id="past-the-offline-hour"),
        pytest.param(1.0, 3595.5, id="a-day"),
        pytest.param(7.0, 7 * 3595.5, id="a-week"),
    ],
)
def test_expected_offline(days: float, expected: float) -> None:
    assert health_bench.expected_offline_s(days, hold_s=5.0) == expected


def test_a_span_ending_offline_is_refused() -> None:
    with pytest.raises(ValueError, match="offline"):
        health_bench.expected_offline_s(0.06, hold_s=5.0)


def test_the_bench_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    # The bench checks the report's offline time against what it stored, so this runs the
    # whole report on a real SQLite store.
    assert health_bench.main(["--days", "0.1"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].startswith("| store | span | readings |")
    assert table[3].startswith("| SQLite | 0.1 d | 10,080 |")
