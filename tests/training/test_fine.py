"""The fine projection (model.py): the stride-4 features reach the decoder through a 2x2
stride-2 convolution added to the stride-8 lateral, and the frozen-backbone views carry the
features it reads. What it shares with every optional part (a no-op start, the ONNX round
trip, init and averaging) is in test_optional_parts.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

if TYPE_CHECKING:
    pass

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.density.onnx_model import (  # noqa: E402
    OnnxDensityEstimator,
    network_input_size,
    to_network_input,
)
from monitor.training.__main__ import main as train_main  # noqa: E402
from monitor.training.data import dataset_folders, load_set  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import has_part  # noqa: E402
from monitor.training.frozen import view_loss, view_of  # noqa: E402
from monitor.training.model import FINE_CHANNELS, build_model  # noqa: E402
from tests.training.synthetic import write_crowd_folder  # noqa: E402
from tests.training.trained import density, images, trained_looking  # noqa: E402

SHIPPED = Path(__file__).parents[2] / "models" / "crowd-density.onnx"


def test_the_shipped_model_reads_the_stride4_features() -> None:
    assert has_part(SHIPPED, "fine")


def test_run_time_counts_what_the_trained_fine_model_counts(tmp_path: Path) -> None:
    """The live loop runs the exported graph in onnxruntime, not torch: the projection must
    survive the export, so the map the service sees is the one training produced."""
    model = trained_looking(context=True, fine=True, seed=11)
    path = export_onnx(model, tmp_path / "fine.onnx")
    frame = np.random.default_rng(12).integers(0, 255, (96, 128, 3), dtype=np.uint8)
    size = network_input_size((128, 96), model.input_multiple, 2048)
    expected = density(model, torch.from_numpy(to_network_input(frame, size)))[0, 0].numpy()
    served = OnnxDensityEstimator(path).estimate(frame).values
    assert served.shape == expected.shape
    assert np.allclose(served, expected, rtol=1e-3, atol=1e-5)
    with torch.no_grad():
        model.fine.weight.zero_()
    without = density(model, torch.from_numpy(to_network_input(frame, size)))[0, 0].numpy()
    assert not np.allclose(served, without, rtol=1e-3, atol=1e-5), "the projection counts"


def test_each_cell_reads_the_stride4_detail_of_its_own_pixels_only() -> None:
    """A 2x2 stride-2 patch is one stride-8 cell's 8x8 pixels: detail changed in one cell
    moves the projection there and nowhere else (the head's convolutions then spread it)."""
    model = trained_looking(context=False, fine=True, seed=3)
    frame = images(1, seed=4)
    changed = frame.clone()
    changed[..., 40:48, 64:72] = 255.0 - changed[..., 40:48, 64:72]
    with torch.no_grad():
        _, before = model.stride8_features(frame)
        _, after = model.stride8_features(changed)
        assert before is not None
        assert after is not None
        moved = (model.fine(after) - model.fine(before)).abs().sum(dim=1)[0]
    assert before.shape == (1, FINE_CHANNELS, 24, 32)
    assert moved.shape == (12, 16)
    # The cell changed is (5, 8); the stride-4 features' receptive field reaches about 12
    # pixels past it, so its neighbours move too, but less, and nothing further away.
    assert float(moved[5, 8]) == float(moved.max()) > 0
    far = moved.clone()
    far[3:8, 6:11] = 0.0
    assert float(far.max()) < 1e-4


def test_a_fine_decoder_refuses_to_decode_without_the_stride4_features() -> None:
    model = build_model(fine=True).eval()
    with torch.no_grad():
        low, high, _ = model.backbone_features(images(1))
        with pytest.raises(ValueError, match="pass `fine`"):
            model.decode(low, high)


@pytest.mark.parametrize(
    "keep_high",
    [pytest.param(True, id="stride16-kept"), pytest.param(False, id="stride16-tuned")],
)
def test_a_fine_models_view_keeps_the_stride4_features(tmp_path: Path, keep_high: bool) -> None:
    write_crowd_folder(tmp_path, images=1, side=128)
    item = load_set(dataset_folders(tmp_path, None)[0], "all").items[0]
    model = trained_looking(context=True, fine=True, seed=5)
    view = view_of(model, item, 1.0, False, None, keep_high)
    size = network_input_size((128, 128), model.input_multiple, 2048)
    with torch.no_grad():
        _, expected = model.stride8_features(torch.from_numpy(to_network_input(item.image, size)))
    assert view.fine is not None
    assert expected is not None
    assert torch.allclose(view.fine.float(), expected, atol=1e-2 * float(expected.abs().max()))
    # The loss on the stored features is the loss of the whole network on the image.
    with torch.no_grad():
        loss, _ = view_loss(model, view, 1.0)
        zeroed = view_of(model, item, 1.0, False, None, keep_high)
        model.fine.weight.zero_()
        without, _ = view_loss(model, zeroed, 1.0)
    assert float(loss) != pytest.approx(float(without), rel=1e-3)


def test_a_plain_models_view_has_no_stride4_features(tmp_path: Path) -> None:
    write_crowd_folder(tmp_path, images=1, side=128)
    item = load_set(dataset_folders(tmp_path, None)[0], "all").items[0]
    assert view_of(build_model(context=True), item, 1.0, False, None).fine is None


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(("--frozen-backbone",), id="frozen-backbone"),
        pytest.param(("--frozen-backbone", "--tune-high-stages"), id="tuned-stride16"),
        pytest.param(("--crop", "64"), id="crop-loop"),
    ],
)
def test_the_train_command_adds_and_trains_the_projection(
    tmp_path: Path, options: tuple[str, ...]
) -> None:
    write_crowd_folder(tmp_path / "data")
    # A model without the projection, so the run must add it (the shipped one has it).
    init = export_onnx(trained_looking(context=True, seed=10), tmp_path / "plain.onnx")
    out = tmp_path / "model.onnx"
    argv = [
        *("--data", str(tmp_path / "data"), "--init", str(init), *options),
        *("--context", "--fine-features", "--steps", "2", "--batch", "2"),
        *("--device", "cpu", "--train-split", "all", "--out", str(out)),
        *("--work-dir", str(tmp_path / "work")),
    ]
    assert train_main(argv) == 0
    config = json.loads(out.with_suffix(".json").read_text())["config"]
    assert config["fine_features"] == "True"
    assert has_part(out, "fine")
    state = torch.load(tmp_path / "work" / "density-net.pt", map_location="cpu", weights_only=True)
    assert state["fine.weight"].abs().sum() > 0, "the projection moved off its zero start"
