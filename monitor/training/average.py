"""Weight averaging of density models ("model soup", Wortsman et al., ICML 2022).

Two runs where one was fine-tuned from the other sit in one basin of the loss, so the mean
of their weights is a model in its own right and often better than either. Exported graphs
carry their BatchNorms folded into the convolutions, which makes each layer affine in its
weights: averaging the folded weights averages exactly the layers that run.

`python -m monitor.training.average A.onnx B.onnx --out C.onnx [--weights 0.5 0.5]`
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from monitor.training.export import export_onnx
from monitor.training.from_onnx import decoder_width, has_part, load_onnx_weights
from monitor.training.model import DensityNet, build_model


def average_models(
    paths: list[Path], weights: list[float] | None = None, *, context: bool = False
) -> DensityNet:
    """The weighted mean of the models at `paths` (same architecture, decoder width read from
    the first; weights sum to 1)."""
    if not paths:
        raise ValueError("give at least one model to average")
    shares = weights if weights is not None else [1.0 / len(paths)] * len(paths)
    if len(shares) != len(paths):
        raise ValueError(f"{len(paths)} models but {len(shares)} weights")
    if any(share < 0 for share in shares) or abs(sum(shares) - 1.0) > 1e-6:
        raise ValueError(f"weights must be non-negative and sum to 1, got {shares}")
    width = decoder_width(paths[0])
    # A model without the conditioning (or the fine projection) averages in as one whose part
    # is zero: what it computes (from_onnx.py seeds the part at zero).
    scene = any(has_part(path, "scene") for path in paths)
    fine = any(has_part(path, "fine") for path in paths)
    states = [
        load_onnx_weights(
            build_model(context=context, width=width, scene=scene, fine=fine), path
        ).state_dict()
        for path in paths
    ]
    averaged = {}
    for name, first in states[0].items():
        if first.is_floating_point():
            averaged[name] = sum(
                (share * state[name] for share, state in zip(shares, states, strict=True)),
                torch.zeros_like(first),
            )
        else:
            averaged[name] = first
    model = build_model(context=context, width=width, scene=scene, fine=fine)
    model.load_state_dict(averaged)
    return model.eval()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m monitor.training.average", description="average exported density models"
    )
    parser.add_argument("models", nargs="+", type=Path, help="exported .onnx models")
    parser.add_argument("--out", type=Path, required=True, help="ONNX file to write")
    parser.add_argument("--weights", nargs="+", type=float, help="one per model (default: equal)")
    parser.add_argument("--context", action="store_true", help="the models have context stages")
    args = parser.parse_args(argv)
    try:
        model = average_models(args.models, args.weights, context=args.context)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    info: dict[str, object] = {
        "average_of": [str(p) for p in args.models],
        "weights": args.weights or "equal",
    }
    export_onnx(model, args.out, info)
    # Beside the model, as a training run leaves its own.
    args.out.with_suffix(".json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
