from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training needs the train extra (torch)")

from monitor.training.average import average_models, main  # noqa: E402
from monitor.training.export import export_onnx  # noqa: E402
from monitor.training.from_onnx import load_onnx_weights  # noqa: E402
from monitor.training.model import DensityNet, PeopleDensity, build_model  # noqa: E402
from tests.training.layers import output_bias  # noqa: E402


def exported_variant(tmp_path: Path, seed: int) -> Path:
    """An exported model with its own weights and a positive output (not all clipped)."""
    generator = torch.Generator().manual_seed(seed)
    model = build_model()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.mul_(1.0 + 0.1 * torch.randn(parameter.shape, generator=generator))
        output_bias(model).fill_(1.0 + seed)
    return export_onnx(model.eval(), tmp_path / f"variant-{seed}.onnx")


def loaded(path: Path) -> DensityNet:
    return load_onnx_weights(build_model(), path).eval()


def test_the_average_is_the_weighted_mean_of_the_folded_weights(tmp_path: Path) -> None:
    first, second = exported_variant(tmp_path, 1), exported_variant(tmp_path, 2)
    averaged = average_models([first, second], [0.25, 0.75])
    a, b, mean = loaded(first).state_dict(), loaded(second).state_dict(), averaged.state_dict()
    for name in ("stem.0.weight", "high.0._project_conv.weight", "head.3.bias"):
        assert torch.allclose(mean[name], 0.25 * a[name] + 0.75 * b[name], atol=1e-6)
    assert not torch.allclose(a["head.3.bias"], b["head.3.bias"])


def test_all_the_weight_on_one_model_gives_that_model(tmp_path: Path) -> None:
    first, second = exported_variant(tmp_path, 1), exported_variant(tmp_path, 2)
    image = torch.from_numpy(
        np.random.default_rng(0).uniform(0, 255, (1, 3, 64, 96)).astype(np.float32)
    )
    with torch.no_grad():
        expected = PeopleDensity(loaded(second))(image)
        actual = PeopleDensity(average_models([first, second], [0.0, 1.0]))(image)
    assert expected.max() > 0
    assert torch.allclose(actual, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        pytest.param(["0.5"], "2 models but 1 weights", id="count"),
        pytest.param(["0.7", "0.7"], "sum to 1", id="sum"),
        pytest.param(["-0.5", "1.5"], "non-negative", id="negative"),
    ],
)
def test_bad_weights_are_refused(
    weights: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = exported_variant(tmp_path, 1)
    argv = [str(model), str(model), "--out", str(tmp_path / "out.onnx"), "--weights", *weights]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.onnx").exists()


def test_the_command_writes_the_model_and_its_provenance(tmp_path: Path) -> None:
    first, second = exported_variant(tmp_path, 1), exported_variant(tmp_path, 2)
    out = tmp_path / "soup.onnx"
    assert main([str(first), str(second), "--out", str(out)]) == 0
    info = json.loads(out.with_suffix(".json").read_text())
    assert info == {"average_of": [str(first), str(second)], "weights": "equal"}
    restored = loaded(out).state_dict()
    a, b = loaded(first).state_dict(), loaded(second).state_dict()
    assert torch.allclose(restored["head.3.bias"], (a["head.3.bias"] + b["head.3.bias"]) / 2)


def test_wide_decoders_average_at_their_own_width(tmp_path: Path) -> None:
    """Models with a widened decoder (widen.py) average without being told their width."""
    paths = []
    for seed in (1, 2):
        model = build_model(width=48)
        with torch.no_grad():
            output_bias(model).fill_(float(seed))
        paths.append(export_onnx(model.eval(), tmp_path / f"wide-{seed}.onnx"))
    averaged = average_models(paths)
    assert averaged.width == 48
    assert torch.allclose(averaged.state_dict()["head.3.bias"], torch.tensor([1.5]))
