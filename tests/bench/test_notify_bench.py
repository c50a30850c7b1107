from __future__ import annotations

import pytest

from bench import notify_bench


def test_the_bench_delivers_every_event_and_prints_one_row(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The bench waits for each event to arrive at its real HTTP receiver (and raises if one
    # does not), so a table at all means all 20 singles and both bursts were delivered.
    assert notify_bench.main(["--events", "30"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == (
        "one signed webhook: 20 single alert events, then 30 at once, "
        "then 30 queued while the receiver refuses"
    )
    assert table[1].startswith("| outbox | single event ms p50 |")
    cells = [c.strip() for c in table[3].split("|")[1:-1]]
    assert cells[0] == "SQLite"
    assert all(float(c.replace(",", "")) > 0 for c in cells[1:])
