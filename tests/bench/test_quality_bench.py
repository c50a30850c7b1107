from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.quality_bench import DEGRADATIONS, main
from tests.density.synthetic import write_folder


@pytest.mark.parametrize("name", [pytest.param(n, id=n) for n in DEGRADATIONS])
def test_each_degradation_keeps_the_frame_shape_and_is_seeded(name: str) -> None:
    frame = np.random.default_rng(1).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    first = DEGRADATIONS[name](frame, np.random.default_rng(2))
    assert first.shape == frame.shape
    assert first.dtype == np.uint8
    assert np.array_equal(first, DEGRADATIONS[name](frame, np.random.default_rng(2)))


def test_the_table_has_a_row_per_degradation_and_a_covered_lens_is_always_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 16 stills: the split holds 2 of them out, as it would 15% of a real dataset.
    counts = [3, 5, 8, 4, 6, 9, 2, 7] * 2
    write_folder(tmp_path / "shanghaitech_b", np.random.default_rng(3), counts, "images")
    assert main(["--data", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "shanghaitech_b" in lines[0]
    rows = {line.split("  ")[0].strip(): line for line in lines[3 : 3 + len(DEGRADATIONS)]}
    assert list(rows) == list(DEGRADATIONS)
    assert rows["covered"].split()[-3] == "100%"  # flagged share of ShanghaiTech B's two
    assert "ms at 640x480" in lines[-2]
    assert "validation images: shanghaitech_b: 2" in lines[-1]
