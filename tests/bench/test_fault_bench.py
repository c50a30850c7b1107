from __future__ import annotations

import pytest

from bench import fault_bench


def test_the_bench_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    # The real application on the demo config: every site analysed before it is timed.
    assert fault_bench.main(["--calls", "5"]) == 0
    # (The application says first that it made its admin.)
    table = [line for line in capsys.readouterr().out.splitlines() if line.startswith("|")]
    assert table[0].startswith("| sites | judgements | median ms |")
    assert table[2].startswith("| 5 | 5 | ")
