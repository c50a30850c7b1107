"""The frozen-backbone views' features kept on disk between runs: what they are keyed by, that
they come back as they were saved, and that a second run reads them instead of computing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.augment import CameraDefects  # noqa: E402
from monitor.training.data import Annotated, AnnotatedSet  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.feature_cache import (  # noqa: E402
    Views,
    cached_views,
    load_views,
    save_views,
    views_key,
)
from monitor.training.frozen import FeatureView, training_views  # noqa: E402
from monitor.training.model import build_model  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402


def feature_view(seed: int, *, with_weight: bool, with_fine: bool = False) -> FeatureView:
    generator = torch.Generator().manual_seed(seed)
    return FeatureView(
        low=torch.rand(1, 4, 6, 8, generator=generator).half(),
        high=torch.rand(1, 6, 3, 4, generator=generator).half(),
        target=torch.rand(1, 1, 6, 8, generator=generator),
        points=torch.rand(3, 2, generator=generator) * 40,
        weight=torch.rand(1, 1, 6, 8, generator=generator) if with_weight else None,
        count=3.0 + seed,
        fine=torch.rand(1, 3, 12, 16, generator=generator).half() if with_fine else None,
    )


def some_views() -> Views:
    crowd = [
        [feature_view(0, with_weight=True, with_fine=True), feature_view(1, with_weight=False)],
        [feature_view(2, with_weight=False)],
    ]
    return crowd, [feature_view(3, with_weight=False)]


def assert_same_views(got: Views, expected: Views) -> None:
    got_all = [*(v for per_set in got[0] for v in per_set), *got[1]]
    expected_all = [*(v for per_set in expected[0] for v in per_set), *expected[1]]
    assert [len(s) for s in got[0]] == [len(s) for s in expected[0]]
    assert len(got_all) == len(expected_all)
    for a, b in zip(got_all, expected_all, strict=True):
        for name in ("low", "high", "target", "points"):
            assert torch.equal(getattr(a, name), getattr(b, name)), name
        for name in ("weight", "fine"):
            mine, theirs = getattr(a, name), getattr(b, name)
            assert (mine is None) == (theirs is None), name
            if mine is not None:
                assert torch.equal(mine, theirs), name
        assert a.count == b.count


def test_views_come_back_as_saved(tmp_path: Path) -> None:
    views = some_views()
    save_views(tmp_path / "views.pt", views)
    assert_same_views(load_views(tmp_path / "views.pt"), views)
    assert not list(tmp_path.glob("*.partial")), "the partial file is renamed into place"


class CountingCompute:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Views:
        self.calls += 1
        return some_views()


def test_views_are_computed_once_per_key(tmp_path: Path) -> None:
    compute = CountingCompute()
    first = cached_views(tmp_path, "a", compute)
    again = cached_views(tmp_path, "a", compute)
    assert compute.calls == 1
    assert_same_views(again, first)
    cached_views(tmp_path, "b", compute)
    assert compute.calls == 2


def test_without_a_folder_views_are_always_computed() -> None:
    compute = CountingCompute()
    cached_views(None, "a", compute)
    cached_views(None, "a", compute)
    assert compute.calls == 2


def write_truncated(path: Path) -> None:
    save_views(path, some_views())
    path.write_bytes(path.read_bytes()[:200])


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda path: path.write_bytes(b""), id="empty"),
        pytest.param(lambda path: path.write_bytes(b"not a torch file"), id="garbage"),
        pytest.param(write_truncated, id="truncated"),
    ],
)
def test_an_unreadable_cache_file_is_recomputed_and_replaced(
    spoil: Callable[[Path], object], tmp_path: Path
) -> None:
    path = tmp_path / "views-a.pt"
    spoil(path)
    compute = CountingCompute()
    assert_same_views(cached_views(tmp_path, "a", compute), some_views())
    assert compute.calls == 1
    assert_same_views(load_views(path), some_views())


def annotated_set(name: str = "IMG_0.jpg", heads: float = 10.0) -> AnnotatedSet:
    image = np.full((32, 48, 3), 100, dtype=np.uint8)
    points = np.array([[heads, 12.0], [20.0, 20.0]], dtype=np.float32)
    item = Annotated(
        name=name,
        image=image,
        points=points,
        sigmas=np.full(2, 4.0, dtype=np.float32),
        valid=None,
        count=2.0,
    )
    return AnnotatedSet(name="synthetic", items=[item])


def key_of(**change: Any) -> str:
    backbone = torch.nn.Conv2d(3, 4, 3)
    torch.nn.init.constant_(backbone.weight, change.get("weight", 0.5))
    torch.nn.init.zeros_(backbone.bias)
    return views_key(
        [backbone],
        [annotated_set(change.get("name", "IMG_0.jpg"), change.get("heads", 10.0))],
        change.get("seed", 0),
        change.get("device", "cpu"),
        change.get("fine", False),
        change.get("defects", CameraDefects()),
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"weight": 0.25}, id="backbone-weights"),
        pytest.param({"name": "IMG_1.jpg"}, id="another-image"),
        pytest.param({"heads": 11.0}, id="heads-moved"),
        pytest.param({"seed": 1}, id="seed"),
        pytest.param({"device": "cuda"}, id="device"),
        pytest.param({"fine": True}, id="stride4-features-kept"),
        pytest.param({"defects": CameraDefects(noisy_share=0.4)}, id="share-of-noisy-views"),
        pytest.param(
            {"defects": CameraDefects(compressed_share=0.3)}, id="share-of-compressed-views"
        ),
    ],
)
def test_the_key_follows_what_the_views_depend_on(change: dict[str, Any]) -> None:
    assert key_of() == key_of(), "the same inputs give the same key"
    assert key_of(**change) != key_of()


def test_a_second_frozen_run_reads_the_cached_features(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import monitor.training.train as train_module

    computed: list[str] = []
    real_views = training_views

    def recording_views(*args: Any, **kwargs: Any) -> list[FeatureView]:
        computed.append(args[1].name)
        return real_views(*args, **kwargs)

    monkeypatch.setattr(train_module, "training_views", recording_views)
    write_crowd_folder(tmp_path / "data")
    init = export_onnx(build_model(), tmp_path / "plain.onnx")

    def run(work: str) -> dict[str, Any]:
        argv = [
            *("--data", str(tmp_path / "data"), "--init", str(init), "--frozen-backbone"),
            *("--steps", "3", "--batch", "2", "--device", "cpu", "--train-split", "all"),
            *("--feature-cache", str(tmp_path / "cache")),
            *("--out", str(tmp_path / f"{work}.onnx"), "--work-dir", str(tmp_path / work)),
        ]
        assert train_main(argv) == 0
        weights: dict[str, Any] = torch.load(
            tmp_path / work / "density-net.pt", map_location="cpu", weights_only=True
        )
        return weights

    first = run("first")
    assert computed == ["synthetic"]
    assert len(list((tmp_path / "cache").glob("views-*.pt"))) == 1
    second = run("second")
    assert computed == ["synthetic"], "the second run computed the views again"
    # Same views, seed and steps: the decoder trains to the same weights.
    for name, tensor in first.items():
        assert torch.equal(tensor, second[name]), name


def test_a_feature_cache_without_a_frozen_backbone_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_crowd_folder(tmp_path / "data")
    argv = ["--data", str(tmp_path / "data"), "--feature-cache", str(tmp_path / "cache")]
    assert train_main([*argv, "--steps", "1", "--out", str(tmp_path / "m.onnx")]) == 2
    assert "--feature-cache needs --frozen-backbone" in capsys.readouterr().err
