from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from bench.view_bench import HELD, MOVES, main, true_shift
from tests.support.street import SIZE, street


def write_day(root: Path, frames: int) -> None:
    """One fixed camera's frames in the shared format: the same street, other passers-by."""
    (root / "frames").mkdir(parents=True)
    rows = ["image,count"]
    for i in range(1, frames + 1):
        name = f"seq_{i:06d}.jpg"
        cv2.imwrite(str(root / "frames" / name), street(people_seed=i))
        rows.append(f"{name},25")
    (root / "counts.csv").write_text("\n".join(rows) + "\n")


def test_a_pan_and_a_turn_move_the_corners_as_far_as_geometry_says() -> None:
    width, height = SIZE
    assert true_shift(width, height, dx=0.04) == pytest.approx(0.04)
    assert true_shift(width, height, zoom=1.1) == pytest.approx(0.1 * 400 / width)


def test_the_table_flags_the_moved_camera_and_not_the_held_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_day(tmp_path / "mall", 10)
    assert main(["--data", str(tmp_path), "--stride", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Mall, one fixed camera: 10 checks")
    rows = {line[:20].strip(): line[20:].split() for line in lines[3 : 5 + len(HELD) + len(MOVES)]}
    assert list(rows) == [*HELD, "held: packed floor", "packed, not masked", *MOVES]
    assert [rows[name][1] for name in HELD] == ["0%"] * len(HELD)
    assert rows["held: packed floor"][1] == "0%"  # told where the crowd is
    assert rows["moved: pan 8%"][1] == "100%"
    assert rows["moved: pan 2%"][1] == "0%"  # under the 3% limit
    assert float(rows["moved: pan 8%"][2]) == pytest.approx(0.08, rel=0.1)
    assert "ms at 640x480" in lines[-1]


def test_no_data_is_refused_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--data", str(tmp_path / "nowhere")]) == 1
    assert "data folder not found" in capsys.readouterr().err
