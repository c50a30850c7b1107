from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from monitor.motion.measure import Motion
from monitor.quality.assess import FrameQuality
from monitor.quality.outages import StatusChange
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.recording.export import (
    ExportRequestData,
    blur_people,
    build_export,
    nearest_reading,
    readings_csv,
    status_csv,
    verify_export,
)
from monitor.store.base import StoredReading
from tests.support.blobs import scene

GOOD_MEASURES = FrameQuality(noise=0.5, detail=0.9, blocking=1.1, spread=40.0)


def reading(at: float, count: float = 1.0) -> StoredReading:
    return StoredReading("a", 1, at, at + 0.1, count, 0.1, 0.2, "normal", [[0.0]], 160, 120)


def test_blur_touches_only_cells_with_people() -> None:
    image = scene(12)
    grid: list[list[float | None]] = [[0.5, 0.0], [None, 0.0]]
    out = blur_people(image, grid)
    assert not np.array_equal(out[:60, :80], image[:60, :80]), "the busy cell is blurred"
    assert np.array_equal(out[:, 80:], image[:, 80:])
    assert np.array_equal(out[60:, :], image[60:, :])


def test_blur_with_no_people_changes_nothing() -> None:
    image = scene(5)
    assert np.array_equal(blur_people(image, [[0.0, None]]), image)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(0.0, 1.0, id="before"),
        pytest.param(1.4, 1.0, id="nearer-first"),
        pytest.param(1.6, 2.0, id="nearer-second"),
        pytest.param(9.0, 3.0, id="after"),
    ],
)
def test_nearest_reading(at: float, expected: float) -> None:
    readings = [reading(1.0), reading(2.0), reading(3.0)]
    found = nearest_reading(readings, at)
    assert found is not None
    assert found.captured_at == expected


def test_readings_csv_keeps_exact_times() -> None:
    lines = readings_csv([reading(1795963422.6751938, 4.5)]).decode().splitlines()
    assert lines[0].split(",")[:3] == ["site_id", "seq", "captured_at"]
    assert lines[1].split(",")[2] == "1795963422.6751938"


@pytest.mark.parametrize(
    ("quality", "picture"),
    [
        pytest.param(None, "", id="not-assessed"),
        pytest.param(QualityVerdict((), GOOD_MEASURES), "good", id="good"),
        pytest.param(
            QualityVerdict((QualityIssue.NOISE, QualityIssue.DETAIL_LOSS), GOOD_MEASURES),
            "noise detail_loss",
            id="poor",
        ),
    ],
)
def test_readings_csv_says_how_good_each_picture_was(
    quality: QualityVerdict | None, picture: str
) -> None:
    assessed = dataclasses.replace(reading(5.0), quality=quality)
    [row] = csv.DictReader(io.StringIO(readings_csv([assessed]).decode()))
    assert row["picture"] == picture


@pytest.mark.parametrize(
    ("motion", "columns"),
    [
        pytest.param(None, ("", "", ""), id="not-measured"),
        pytest.param(Motion(0.8, 0.004, False), ("0.8", "0.004", "no"), id="calm"),
        pytest.param(Motion(1.2, 0.031, True), ("1.2", "0.031", "yes"), id="turbulent"),
    ],
)
def test_readings_csv_says_how_the_crowd_moved(
    motion: Motion | None, columns: tuple[str, str, str]
) -> None:
    moving = dataclasses.replace(reading(5.0), motion=motion)
    [row] = csv.DictReader(io.StringIO(readings_csv([moving]).decode()))
    assert (row["speed_m_s"], row["pressure"], row["turbulent"]) == columns


def test_status_csv_rows_round_trip() -> None:
    changes = [
        StatusChange(1_700_000_000.123456789, "offline", 'cannot open "rtsp://cam/1", refused'),
        StatusChange(1_700_000_060.5, "online", ""),
        StatusChange(1_700_000_090.0, "stopped", ""),
    ]
    rows = list(csv.reader(io.StringIO(status_csv("gate-a", changes).decode())))
    assert rows[0] == ["site_id", "at", "status", "reason"]
    assert [(r[0], float(r[1]), r[2], r[3]) for r in rows[1:]] == [
        ("gate-a", c.at, c.status, c.reason) for c in changes
    ]


def test_manifest_verifies_and_catches_added_and_missing_files(tmp_path: Path) -> None:
    data = ExportRequestData(
        since=0.0,
        until=10.0,
        sites=["a"],
        blur=False,
        created_by="li",
        created_at=11.0,
        clips=[],
        readings={"a": [reading(1.0)]},
        alerts=[{"alert": {"id": "x"}, "events": []}],
        status={"a": [StatusChange(-5.0, "offline", "no frames, for 10 s")]},
    )
    pack = tmp_path / "pack.zip"
    manifest = build_export(data, pack, tmp_path)
    assert {f["path"] for f in manifest["files"]} == {
        "readings/a.csv",
        "status/a.csv",
        "alerts.json",
    }
    assert verify_export(pack) == []

    altered = tmp_path / "altered.zip"
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(altered, "w") as dst:
        for name in src.namelist():
            if name != "alerts.json":
                dst.writestr(name, src.read(name))
        dst.writestr("extra.txt", b"slipped in")
    assert verify_export(altered) == ["alerts.json: missing", "extra.txt: not in the manifest"]

    with zipfile.ZipFile(pack) as opened:
        assert json.loads(opened.read("manifest.json"))["created_by"] == "li"
