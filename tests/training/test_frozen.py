"""Decoder training on a frozen backbone: the views, what trains, and the command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import pytest

from monitor.density.onnx_model import network_input_size, to_network_input

if TYPE_CHECKING:
    from torch import Tensor

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training import frozen  # noqa: E402
from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.augment import CameraDefects  # noqa: E402
from monitor.training.blank import blank_frame  # noqa: E402
from monitor.training.data import dataset_folders, load_set  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.frozen import (  # noqa: E402
    BLANK_SIZES,
    BLANKS_PER_SIZE,
    DecoderSchedule,
    FeatureView,
    blank_views,
    fit_decoder,
    freeze_backbone,
    training_views,
    view_loss,
    view_of,
)
from monitor.training.losses import LossName  # noqa: E402
from monitor.training.model import STRIDE, DensityNet, build_model  # noqa: E402
from monitor.training.targets import density_target  # noqa: E402
from tests.training.defect_spy import spy_on_defect  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = REPO_ROOT / "models" / "crowd-density.onnx"


@pytest.fixture(scope="module")
def model() -> DensityNet:
    return build_model()


@pytest.mark.parametrize(
    ("video", "images", "views"),
    [
        # Stills: each image at two scales, plain and mirrored.
        pytest.param(False, 4, 4 * 2 * 2, id="stills"),
        # Video: every other frame, at three scales, plain and mirrored.
        pytest.param(True, 4, 2 * 3 * 2, id="video"),
    ],
)
def test_views_per_image_follow_the_set_kind(
    video: bool, images: int, views: int, model: DensityNet, tmp_path: Path
) -> None:
    write_crowd_folder(tmp_path, images=images, video=video)
    annotated = load_set(dataset_folders(tmp_path, None)[0], "all")
    assert annotated.video == video
    made = training_views(model, annotated, np.random.default_rng(0))
    assert len(made) == views


@pytest.mark.parametrize(
    ("defect", "defects_at"),
    [
        pytest.param("add_sensor_noise", lambda share: CameraDefects(share, 0.0), id="noise"),
        pytest.param("add_compression", lambda share: CameraDefects(0.0, share), id="compression"),
    ],
)
@pytest.mark.parametrize(
    ("share", "defective_views"),
    # Four stills, two scales, plain and mirrored: 16 views, of which the four images as
    # they are stay clean, since they are the run-time view.
    [pytest.param(0.0, 0, id="none"), pytest.param(1.0, 12, id="every-jittered-view")],
)
def test_views_get_each_defect_at_its_share(
    defect: str,
    defects_at: Callable[[float], CameraDefects],
    share: float,
    defective_views: int,
    model: DensityNet,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = spy_on_defect(monkeypatch, defect)
    write_crowd_folder(tmp_path, images=4)
    annotated = load_set(dataset_folders(tmp_path, None)[0], "all")
    made = training_views(model, annotated, np.random.default_rng(0), defects=defects_at(share))
    assert len(made) == 16
    assert len(calls) == defective_views


@pytest.mark.parametrize(
    ("scale", "flip"),
    [
        pytest.param(1.0, False, id="as-is"),
        pytest.param(0.8, True, id="smaller-mirrored"),
        pytest.param(1.25, False, id="larger"),
    ],
)
def test_a_view_keeps_every_head_and_sees_what_run_time_sees(
    scale: float, flip: bool, model: DensityNet, tmp_path: Path
) -> None:
    write_crowd_folder(tmp_path, images=3, side=128)
    item = load_set(dataset_folders(tmp_path, None)[0], "all").items[2]
    view = view_of(model, item, scale, flip, None)
    # The targets keep their mass: heads are 8 px inside the border at any of these scales.
    assert float(view.target.sum()) == pytest.approx(item.count, rel=1e-3)
    assert view.high is not None
    assert view.low.dtype == view.high.dtype == torch.float16
    # The stored features are the backbone's on the frame as the run-time estimator feeds it
    # (resized to the input multiple, RGB, channels first), mirrored for a flipped view; fp16
    # storage rounds them by well under a per cent.
    side = round(128 * scale)
    size = network_input_size((side, side), model.input_multiple, 2048)
    # The heads (for the Bayesian loss) are in the view's pixels: the target redrawn from them
    # is the view's target.
    sx, sy = size[0] / 128, size[1] / 128
    sigmas = (item.sigmas * np.sqrt(sx * sy)).astype(np.float32)
    redrawn = density_target(view.points.numpy(), sigmas, size, STRIDE)
    assert np.allclose(redrawn, view.target[0, 0].numpy(), atol=1e-5)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    frame = np.asarray(cv2.resize(item.image, size, interpolation=interpolation), dtype=np.uint8)
    if flip:
        frame = np.ascontiguousarray(frame[:, ::-1])
    with torch.no_grad():
        low, high, _ = model.backbone_features(torch.from_numpy(to_network_input(frame, size)))
    for stored, expected in ((view.low, low), (view.high, high)):
        assert stored.shape == expected.shape
        tolerance = 1e-2 * float(expected.abs().max())
        assert torch.allclose(stored.float(), expected, atol=tolerance)


def test_a_view_for_tuned_stride16_stages_keeps_the_stride8_features_only(
    model: DensityNet, tmp_path: Path
) -> None:
    write_crowd_folder(tmp_path, images=1, side=128)
    item = load_set(dataset_folders(tmp_path, None)[0], "all").items[0]
    view = view_of(model, item, 1.0, False, None, keep_high=False)
    assert view.high is None
    size = network_input_size((128, 128), model.input_multiple, 2048)
    with torch.no_grad():
        low, _ = model.stride8_features(torch.from_numpy(to_network_input(item.image, size)))
    assert torch.allclose(view.low.float(), low, atol=1e-2 * float(low.abs().max()))
    # The loss runs the stride-16 stages on the stored features: the same loss as a view
    # that kept their output, to fp16's rounding.
    kept = view_of(model, item, 1.0, False, None)
    assert kept.high is not None
    with torch.no_grad():
        tuned_loss, _ = view_loss(model, view, 1.0)
        kept_loss, _ = view_loss(model, kept, 1.0)
    assert float(tuned_loss) == pytest.approx(float(kept_loss), rel=2e-2, abs=1e-4)


@pytest.mark.parametrize(
    ("tune_high", "frozen_parts"),
    [
        pytest.param(False, ("stem.", "low.", "high."), id="decoder-only"),
        pytest.param(True, ("stem.", "low."), id="stride16-stages-too"),
    ],
)
def test_fitting_moves_the_decoder_and_leaves_the_backbone(
    tune_high: bool, frozen_parts: tuple[str, ...], tmp_path: Path
) -> None:
    model = build_model(context=True)
    write_crowd_folder(tmp_path, images=2)
    views = training_views(
        model,
        load_set(dataset_folders(tmp_path, None)[0], "all"),
        np.random.default_rng(0),
        keep_high=not tune_high,
    )
    before = {name: p.detach().clone() for name, p in model.named_parameters()}
    trainable = freeze_backbone(model, tune_high=tune_high)
    optimiser = torch.optim.AdamW(trainable, lr=1e-2)
    schedule = DecoderSchedule(
        budget_s=60.0,
        steps=3,
        views_per_step=2,
        count_weight=1.0,
        seed=0,
        log_every=1,
        checkpoint_every=2,
    )
    logged: list[int] = []
    saved: list[int] = []
    steps = fit_decoder(
        model,
        [views],
        [],
        optimiser,
        schedule,
        lambda progress: None,
        lambda step, progress, error: logged.append(step),
        lambda: saved.append(len(logged)),
    )
    assert steps == 3
    assert logged == [1, 2, 3]
    assert saved == [2]
    moved = {name for name, p in model.named_parameters() if not torch.equal(p, before[name])}
    assert moved, "no parameter changed"
    assert not {name for name in moved if name.startswith(frozen_parts)}
    assert any(name.startswith("head.") for name in moved)
    assert any(name.startswith("context.") for name in moved)
    assert any(name.startswith("high.") for name in moved) == tune_high


def _steepest_edge(frame: np.ndarray) -> float:
    """The largest step between neighbouring pixels once pixel noise is smoothed away."""
    # Sigma 3 leaves a 5 px head standing but flattens noise of sigma 35 (noise.py).
    smooth = cv2.GaussianBlur(frame.astype(np.float32), (0, 0), 3.0)
    return float(np.abs(np.diff(smooth, axis=1)).max())


def test_blank_frames_are_featureless_and_vary() -> None:
    rng = np.random.default_rng(0)
    frames = [blank_frame((640, 480), rng) for _ in range(20)]
    assert all(frame.shape == (480, 640, 3) and frame.dtype == np.uint8 for frame in frames)
    # A far head: a dark disc of 5 px radius on grey.
    head = np.full((480, 640, 3), 128, np.uint8)
    cv2.circle(head, (320, 240), 5, (60, 60, 60), -1)
    assert max(_steepest_edge(frame) for frame in frames) < 0.6 * _steepest_edge(head)
    means = {round(float(frame.mean())) for frame in frames}
    assert len(means) > 10, "blank frames should span many brightnesses"


def test_blank_views_target_nobody(model: DensityNet) -> None:
    views = blank_views(model, np.random.default_rng(0))
    assert len(views) == len(BLANK_SIZES) * BLANKS_PER_SIZE
    assert all(view.count == 0.0 and float(view.target.sum()) == 0.0 for view in views)
    assert all(view.weight is None for view in views)
    sizes = {tuple(view.target.shape[-2:]) for view in views}
    assert len(sizes) == len(BLANK_SIZES)


def _recording_schedule(
    blank_share: float,
    views_per_step: int,
    steps: int = 20,
    set_probabilities: tuple[float, ...] | None = None,
) -> DecoderSchedule:
    return DecoderSchedule(
        budget_s=60.0,
        steps=steps,
        views_per_step=views_per_step,
        count_weight=1.0,
        seed=0,
        log_every=1000,
        checkpoint_every=1000,
        blank_share=blank_share,
        set_probabilities=set_probabilities,
    )


@pytest.mark.parametrize(
    ("blank_share", "blanks_available", "expected_share"),
    [
        pytest.param(0.0, True, (0.0, 0.0), id="share-zero-never"),
        pytest.param(1.0, True, (1.0, 1.0), id="share-one-always"),
        pytest.param(0.25, True, (0.1, 0.4), id="quarter"),
        pytest.param(1.0, False, (0.0, 0.0), id="no-blanks-never"),
    ],
)
def test_blank_views_are_drawn_at_their_share(
    blank_share: float,
    blanks_available: bool,
    expected_share: tuple[float, float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = build_model()
    made = blank_views(model, np.random.default_rng(0))
    # A dataset's view: a blank one re-labelled with a person; draws are told apart by identity.
    crowd = [
        FeatureView(
            low=made[0].low,
            high=made[0].high,
            target=made[0].target + 1e-3,
            points=torch.tensor([[8.0, 8.0]]),
            weight=None,
            count=1.0,
        )
    ]
    blanks = made[1:3] if blanks_available else []
    blank_ids = {id(view) for view in blanks}
    drawn: list[bool] = []
    real_loss = frozen.view_loss

    def recording_loss(
        model: DensityNet, view: FeatureView, count_weight: float, loss_name: LossName
    ) -> tuple[Tensor, Tensor]:
        drawn.append(id(view) in blank_ids)
        return real_loss(model, view, count_weight, loss_name)

    monkeypatch.setattr(frozen, "view_loss", recording_loss)
    trainable = freeze_backbone(model)
    fit_decoder(
        model,
        [crowd],
        blanks,
        torch.optim.SGD(trainable, lr=0.0),
        _recording_schedule(blank_share, views_per_step=4),
        lambda progress: None,
        lambda step, progress, error: None,
        lambda: None,
    )
    assert len(drawn) == 20 * 4
    share = sum(drawn) / len(drawn)
    assert expected_share[0] <= share <= expected_share[1]


def test_datasets_are_drawn_by_the_schedules_probabilities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = build_model()
    made = blank_views(model, np.random.default_rng(0))
    # Two datasets of one view each, told apart by identity.
    first, second = [made[0]], [made[1]]
    drawn: list[bool] = []
    real_loss = frozen.view_loss

    def recording_loss(
        model: DensityNet, view: FeatureView, count_weight: float, loss_name: LossName
    ) -> tuple[Tensor, Tensor]:
        drawn.append(view is second[0])
        return real_loss(model, view, count_weight, loss_name)

    monkeypatch.setattr(frozen, "view_loss", recording_loss)
    trainable = freeze_backbone(model)
    fit_decoder(
        model,
        [first, second],
        [],
        torch.optim.SGD(trainable, lr=0.0),
        _recording_schedule(0.0, views_per_step=4, steps=100, set_probabilities=(0.25, 0.75)),
        lambda progress: None,
        lambda step, progress, error: None,
        lambda: None,
    )
    assert len(drawn) == 100 * 4
    assert sum(drawn) / len(drawn) == pytest.approx(0.75, abs=0.05)


@pytest.mark.parametrize(
    ("extra", "kept_parts"),
    [
        pytest.param([], ("stem", "low", "high"), id="plain"),
        pytest.param(["--context"], ("stem", "low", "high"), id="context"),
        pytest.param(
            ["--context", "--tune-high-stages"], ("stem", "low"), id="context-stride16-stages"
        ),
    ],
)
def test_frozen_backbone_run_keeps_the_initial_backbone(
    extra: list[str], kept_parts: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import monitor.training.train as train_module

    blanks_given: list[int] = []
    real_fit = frozen.fit_decoder

    def recording_fit(*args: Any, **kwargs: Any) -> int:
        blanks_given.append(len(args[2]))
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(train_module, "fit_decoder", recording_fit)
    write_crowd_folder(tmp_path / "data")
    context = bool(extra)
    # The shipped model has the context stages; a plain one comes from ImageNet weights.
    init = SHIPPED if context else export_onnx(build_model(), tmp_path / "plain.onnx")
    out = tmp_path / "model.onnx"
    argv = [
        *("--data", str(tmp_path / "data"), "--init", str(init), "--frozen-backbone"),
        *("--steps", "2", "--batch", "2", "--device", "cpu", "--train-split", "all"),
        *("--out", str(out), "--work-dir", str(tmp_path / "work"), *extra),
    ]
    assert train_main(argv) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["steps"] == 2
    assert info["config"]["frozen_backbone"] == "True"
    assert blanks_given == [len(BLANK_SIZES) * BLANKS_PER_SIZE], "the command trains on blanks"

    from monitor.training.from_onnx import has_part, load_onnx_weights

    # The shipped model reads the stride-4 features (model.py's `fine`); a run keeps them.
    fine = has_part(init, "fine")
    initial = build_model(context=context, fine=fine)
    load_onnx_weights(initial, init)
    trained = build_model(context=context, fine=fine)
    trained.load_state_dict(
        torch.load(tmp_path / "work" / "density-net.pt", map_location="cpu", weights_only=True)
    )
    for part in kept_parts:
        for (name, a), b in zip(
            getattr(initial, part).state_dict().items(),
            getattr(trained, part).state_dict().values(),
            strict=True,
        ):
            assert torch.equal(a, b), f"{part}.{name} changed"
    assert not torch.equal(initial.head[-1].weight, trained.head[-1].weight)
    high_moved = any(
        not torch.equal(a, b)
        for a, b in zip(
            initial.high.state_dict().values(), trained.high.state_dict().values(), strict=True
        )
    )
    assert high_moved == ("high" not in kept_parts)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        pytest.param(["--frozen-backbone"], "--frozen-backbone needs --init", id="no-init"),
        pytest.param(
            ["--tune-high-stages"],
            "--tune-high-stages needs --frozen-backbone",
            id="stride16-stages-without-frozen-backbone",
        ),
    ],
)
def test_frozen_backbone_option_misuse_is_refused(
    flags: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_crowd_folder(tmp_path / "data")
    argv = ["--data", str(tmp_path / "data"), *flags, "--steps", "1"]
    assert train_main([*argv, "--out", str(tmp_path / "m.onnx")]) == 2
    assert message in capsys.readouterr().err
