from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from monitor.cli import density_commands
from tests.density.synthetic import write_folder


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="crowd-monitor")
    density_commands.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


@pytest.fixture
def images(tmp_path: Path) -> Path:
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i in range(2):
        cv2.imwrite(str(folder / f"f{i}.jpg"), np.full((120, 160, 3), 200, dtype=np.uint8))
    return folder


@pytest.mark.parametrize(
    "model", [pytest.param("hog", id="hog"), pytest.param("default", id="shipped")]
)
def test_count_json_lines(model: str, images: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["count", "--model", model, "--json", str(images)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert [Path(r["image"]).name for r in records] == ["f0.jpg", "f1.jpg"]
    assert all(isinstance(r["count"], float) and 0 <= r["count"] < 1 for r in records)


@pytest.mark.parametrize(
    "roi", [pytest.param("mask", id="png-mask"), pytest.param("polygon", id="json-polygon")]
)
def test_count_with_roi(
    roi: str, images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if roi == "mask":
        path = tmp_path / "roi.png"
        cv2.imwrite(str(path), np.full((120, 160), 255, dtype=np.uint8))
    else:
        path = tmp_path / "roi.json"
        path.write_text("[[0, 0], [80, 0], [80, 120], [0, 120]]")
    assert run(["count", "--model", "hog", "--roi", str(path), str(images / "f0.jpg")]) == 0
    name, count = capsys.readouterr().out.strip().split("\t")
    assert name.endswith("f0.jpg")
    assert float(count) == 0.0


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param("missing", "no such image or folder", id="missing-image"),
        pytest.param("unreadable", "cannot read image", id="unreadable-image"),
        pytest.param("bad-roi", "not a JSON polygon", id="bad-roi"),
        pytest.param("bad-model", "neither a model file nor one of", id="unknown-model"),
    ],
)
def test_count_fails_clearly(
    setup: str, message: str, images: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["count", "--model", "hog", str(images / "f0.jpg")]
    if setup == "missing":
        argv[-1] = str(tmp_path / "nope.jpg")
    elif setup == "unreadable":
        (images / "f1.jpg").write_bytes(b"not a jpeg")
        argv[-1] = str(images / "f1.jpg")
    elif setup == "bad-roi":
        (tmp_path / "roi.json").write_text("{")
        argv[1:1] = ["--roi", str(tmp_path / "roi.json")]
    else:
        argv[2] = "no-such-model"
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_evaluate_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_folder(tmp_path / "cam", np.random.default_rng(0), [0, 2, 4])
    assert run(["evaluate", "--data", str(root), "--model", "hog"]) == 0
    out = capsys.readouterr().out
    assert "MAE" in out
    assert "RMSE" in out
    row = next(line for line in out.splitlines() if line.startswith("cam"))
    assert row.split()[2] == "3"


def test_evaluate_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["evaluate", "--data", str(tmp_path / "nope")]) == 1
    assert "data folder not found" in capsys.readouterr().err


def test_calibrate_scale_writes_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    root = write_folder(tmp_path / "cam", np.random.default_rng(0), [3, 5, 7, 9])
    out = tmp_path / "scale.yaml"
    code = run(
        ["calibrate", "--data", str(root), "--model", "hog", "--site", "gate", "--out", str(out)]
    )
    assert code == 0
    parsed = yaml.safe_load(out.read_text())
    assert parsed[0]["id"] == "gate"
    assert 0.05 <= parsed[0]["count_scale"] <= 20
    assert "before" in capsys.readouterr().out


def test_calibrate_classic_writes_a_loadable_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_folder(tmp_path / "cam", np.random.default_rng(0), [3, 5, 7, 9, 11, 13])
    out = tmp_path / "site.joblib"
    assert (
        run(
            [
                "calibrate",
                "--data",
                str(root),
                "--model",
                "hog",
                "--method",
                "classic",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "name: classic" in capsys.readouterr().out
    assert run(["count", "--model", str(out), str(root / "frames")]) == 0


def test_registered_in_the_main_cli() -> None:
    from monitor.cli.main import build_parser

    args = build_parser().parse_args(["count", "x.jpg"])
    assert args.inputs == ["x.jpg"]
    assert callable(args.handler)
