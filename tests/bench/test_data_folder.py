"""Every benchmark that reads the datasets says so plainly when they are not there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench import density_bench, quality_bench, robustness_bench


@pytest.mark.parametrize(
    "main",
    [
        pytest.param(density_bench.main, id="density"),
        pytest.param(robustness_bench.main, id="robustness"),
        pytest.param(quality_bench.main, id="quality"),
    ],
)
def test_a_missing_data_folder_is_an_error(
    main: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path / "absent")]) == 1
    assert f"data folder not found: {tmp_path / 'absent'}" in capsys.readouterr().err
