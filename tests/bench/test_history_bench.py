from __future__ import annotations

import pytest

from bench import history_bench


def test_the_bench_sweeps_all_but_the_kept_hour(capsys: pytest.CaptureFixture[str]) -> None:
    # 0.1 d (2.4 h) at 2 frames/s, offline from 1 h to 2 h (the health bench's data):
    # 10,080 readings, of which the first hour's 7,200 are older than the hour kept. The
    # numbers come from a real SQLite store and sweep.
    assert history_bench.main(["--days", "0.1", "--keep-h", "1"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].endswith("the sweep keeps the last 1 h")
    assert table[1].startswith("| store | readings | bytes/reading |")
    cells = [c.strip() for c in table[3].split("|")[1:-1]]
    assert cells[:2] == ["SQLite", "10,080"]
    assert 500 < int(cells[2].replace(",", "")) < 5000  # bytes per reading, grid and all
    assert cells[4] == "7,200"
