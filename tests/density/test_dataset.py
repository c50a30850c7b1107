from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.density.dataset import CrowdImage, DatasetError, load_folder, natural_key
from monitor.density.splits import select, val_indices
from tests.density.synthetic import write_folder


@pytest.fixture
def video_folder(tmp_path: Path) -> Path:
    return write_folder(
        tmp_path / "cam", np.random.default_rng(0), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    )


@pytest.mark.parametrize(
    ("count", "heads", "expected"),
    [
        # counts.csv wins: a dataset may count people whose heads it did not mark.
        pytest.param(7.0, 3, 7.0, id="counted"),
        pytest.param(None, 3, 3.0, id="heads-only"),
        pytest.param(None, 0, 0.0, id="nobody"),
    ],
)
def test_the_true_count_is_the_counted_one_else_the_heads(
    count: float | None, heads: int, expected: float
) -> None:
    points = np.zeros((heads, 2), dtype=np.float32)
    assert CrowdImage(Path("a.jpg"), count, points).true_count == expected


def test_load_folder_reads_counts_and_heads(video_folder: Path) -> None:
    folder = load_folder(video_folder, need_heads=True)
    assert folder.is_video
    assert [image.count for image in folder.images] == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert all(len(image.heads) == image.count for image in folder.images)


def test_video_validation_is_the_tail_in_time_order(video_folder: Path) -> None:
    folder = load_folder(video_folder)
    assert val_indices(folder) == {8, 9}
    assert [i.count for i in select(folder, "val")] == [11, 12]
    assert len(select(folder, "train")) == 8


def test_stills_validation_is_seeded_random(tmp_path: Path) -> None:
    root = write_folder(tmp_path / "stills", np.random.default_rng(0), [1] * 20, "images")
    folder = load_folder(root)
    assert not folder.is_video
    assert val_indices(folder) == val_indices(load_folder(root))
    assert len(val_indices(folder)) == 3


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        pytest.param("missing", "not found", id="missing-folder"),
        pytest.param("no-images", "neither images/ nor frames/", id="no-image-dir"),
        pytest.param("no-csv", "neither counts.csv nor heads.csv", id="no-annotations"),
        pytest.param("bad-count", "bad count", id="bad-count"),
    ],
)
def test_malformed_folders(setup: str, message: str, tmp_path: Path) -> None:
    root = tmp_path / "data"
    if setup != "missing":
        root.mkdir()
    if setup in {"no-csv", "bad-count"}:
        (root / "images").mkdir()
        (root / "images" / "a.jpg").write_bytes(b"")
    if setup == "bad-count":
        (root / "counts.csv").write_text("image,count\na.jpg,many\n")
    with pytest.raises(DatasetError, match=message):
        load_folder(root)


def test_natural_order() -> None:
    assert sorted(["IMG_10.jpg", "IMG_2.jpg", "IMG_1.jpg"], key=natural_key) == [
        "IMG_1.jpg",
        "IMG_2.jpg",
        "IMG_10.jpg",
    ]
