"""The training loop's plumbing on a synthetic folder (no shared data needed): worker
batches, devices, training on every image, and the torch-only entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.augment import CameraDefects  # noqa: E402
from monitor.training.data import dataset_folders, load_set  # noqa: E402
from monitor.training.noise import NOISY_VIEW_SHARE  # noqa: E402
from monitor.training.train import (  # noqa: E402
    Batch,
    TrainConfig,
    batches,
    make_batch,
    resolve_device,
)
from tests.training.defect_spy import spy_on_defect  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_worker_processes_make_distinct_batches_of_the_loop_shape(tmp_path: Path) -> None:
    write_crowd_folder(tmp_path)
    sets = [load_set(f, "all") for f in dataset_folders(tmp_path, None)]
    config = TrainConfig(data=tmp_path, out=tmp_path / "x.onnx", batch=3, crop=64, workers=2)
    stream = batches(sets, config, pin=False)
    try:
        first, second = next(stream), next(stream)
    finally:
        stream.close()
    for batch in (first, second):
        assert batch.images.shape == (3, 3, 64, 64)
        assert batch.targets.shape == batch.weights.shape == (3, 1, 8, 8)
    # Worker n draws from the generator seeded (seed, n): distinct views, reproducible runs.
    for worker, batch in enumerate((first, second)):
        expected = make_batch(sets, config, np.random.default_rng([config.seed, worker]))
        assert torch.equal(batch.images, expected.images)
        assert torch.equal(batch.targets, expected.targets)
    assert not torch.equal(first.images, second.images)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_missing_gpu_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="torch sees no GPU"):
        resolve_device("cuda")


@pytest.mark.parametrize(
    ("extra", "multiple"),
    [pytest.param([], "16", id="plain"), pytest.param(["--context"], "32", id="context")],
)
def test_training_on_every_image_exports_without_validation(
    extra: list[str], multiple: str, tmp_path: Path
) -> None:
    write_crowd_folder(tmp_path / "data")
    out = tmp_path / "model.onnx"
    argv = [
        "--data",
        str(tmp_path / "data"),
        "--train-split",
        "all",
        "--steps",
        "2",
        "--batch",
        "2",
        "--crop",
        "64",
        "--workers",
        "1",
        "--device",
        "cpu",
        "--out",
        str(out),
        "--work-dir",
        str(tmp_path / "work"),
        *extra,
    ]
    assert train_main(argv) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["val"] == {}
    assert info["steps"] == 2
    assert info["config"]["train_split"] == "all"
    assert (tmp_path / "work" / "density-net.pt").is_file()

    import onnx

    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta["input_multiple"] == multiple


def test_missing_data_folder_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert train_main(["--data", str(tmp_path / "absent"), "--out", str(tmp_path / "m.onnx")]) == 2
    assert "data folder not found" in capsys.readouterr().err


# Names the service needs but a bare GPU machine with only torch would lack.
SERVICE_ONLY = ("pydantic", "fastapi", "uvicorn", "starlette", "sqlalchemy", "websockets", "yaml")


def test_training_entry_point_needs_none_of_the_service_dependencies() -> None:
    script = f"""
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {SERVICE_ONLY!r}:
            raise ImportError("refused " + name)
sys.meta_path.insert(0, Refuse())
import monitor.training.__main__, monitor.training.train
print("imported")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout


def batch_with_blank_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: float, crops: int, seed: int
) -> tuple[list[np.ndarray], Batch]:
    """A batch of `crops` 64-pixel crops of a synthetic folder at a blank `share`, and the
    blank frames make_batch drew for it, in order (a spy on blank_frame)."""
    import monitor.training.train as train_module
    from monitor.training.blank import blank_frame as real_blank_frame

    drawn: list[np.ndarray] = []

    def spy(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
        drawn.append(real_blank_frame(size, rng))
        return drawn[-1]

    monkeypatch.setattr(train_module, "blank_frame", spy)
    write_crowd_folder(tmp_path)
    sets = [load_set(f, "all") for f in dataset_folders(tmp_path, None)]
    config = TrainConfig(
        data=tmp_path, out=tmp_path / "x.onnx", batch=crops, crop=64, blank_share=share
    )
    return drawn, make_batch(sets, config, np.random.default_rng(seed))


def test_blank_crops_are_drawn_at_their_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quarter of 400 crops: within three standard deviations (8.7 crops) of 100."""
    drawn, _ = batch_with_blank_share(tmp_path, monkeypatch, share=0.25, crops=400, seed=0)
    assert 74 <= len(drawn) <= 126


def test_blank_crops_show_the_blank_frame_and_target_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every crop a blank one: the batch holds exactly the drawn frames (as RGB), an empty
    target, full weight and no heads, so either loss pushes the whole map to zero."""
    drawn, batch = batch_with_blank_share(tmp_path, monkeypatch, share=1.0, crops=6, seed=1)
    assert len(drawn) == 6
    expected = np.stack([frame[:, :, ::-1].transpose(2, 0, 1) for frame in drawn])
    assert batch.images.dtype == torch.float32
    assert torch.equal(batch.images, torch.from_numpy(expected.astype(np.float32)))
    assert float(batch.targets.sum()) == 0.0
    assert bool((batch.weights == 1.0).all())
    assert [tuple(points.shape) for points in batch.points] == [(0, 2)] * 6


def test_no_blank_crops_at_a_zero_share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    drawn, batch = batch_with_blank_share(tmp_path, monkeypatch, share=0.0, crops=12, seed=1)
    assert drawn == []
    # The synthetic images hold 2-5 heads each; twelve crops of them cannot all miss.
    assert float(batch.targets.sum()) > 1.0
    assert sum(len(points) for points in batch.points) > 1


@pytest.mark.parametrize("option", ["--blank-share", "--noisy-share", "--compressed-share"])
@pytest.mark.parametrize(
    "value", [pytest.param("-0.1", id="negative"), pytest.param("1.5", id="over-one")]
)
def test_the_share_options_are_bounded(tmp_path: Path, option: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"{option} must be between 0 and 1, got {value}"):
        config_from_options(tmp_path, option, value)


def config_from_options(tmp_path: Path, *options: str) -> TrainConfig:
    import argparse

    from monitor.training.options import add_train_arguments, train_config

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    return train_config(parser.parse_args(["--data", str(tmp_path), *options]))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        pytest.param((), CameraDefects(NOISY_VIEW_SHARE, 0.0, ("jpeg", "h264")), id="default"),
        pytest.param(
            ("--noisy-share", "0.4", "--compressed-share", "0.3", "--codecs", "h264", "h264"),
            CameraDefects(0.4, 0.3, ("h264",)),
            id="given",
        ),
    ],
)
def test_the_defect_shares_reach_the_config(
    tmp_path: Path, options: tuple[str, ...], expected: CameraDefects
) -> None:
    assert config_from_options(tmp_path, *options).defects == expected


@pytest.mark.parametrize(
    ("defect", "share_field"),
    [
        pytest.param("add_sensor_noise", "noisy_share", id="noise"),
        pytest.param("add_compression", "compressed_share", id="compression"),
    ],
)
@pytest.mark.parametrize(
    ("share", "defective_crops"),
    [pytest.param(0.0, 0, id="none"), pytest.param(1.0, 12, id="every-crop")],
)
def test_the_crop_loop_adds_each_defect_at_its_share(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    defect: str,
    share_field: str,
    share: float,
    defective_crops: int,
) -> None:
    calls = spy_on_defect(monkeypatch, defect)
    write_crowd_folder(tmp_path)
    sets = [load_set(f, "all") for f in dataset_folders(tmp_path, None)]
    config = TrainConfig(data=tmp_path, out=tmp_path / "x.onnx", batch=12, crop=64, blank_share=0)
    setattr(config, share_field, share)
    make_batch(sets, config, np.random.default_rng(3))
    assert calls == [(64, 64, 3)] * defective_crops
