"""Density model commands: count, evaluate, train, calibrate (see issue 3).

Every handler turns expected failures (missing folders, unreadable images, bad ROI or model
files) into one message on stderr and exit code 1 or 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from monitor.cli.errors import CommandError, Handler, guarded
from monitor.config.app import EstimatorConfig
from monitor.density.base import DensityEstimator
from monitor.density.calibrate import fit_count_scale, leave_one_out_scaled, scale_snippet
from monitor.density.dataset import (
    IMAGE_SUFFIXES,
    CrowdFolder,
    DatasetError,
    load_folder,
    natural_key,
    read_image,
)
from monitor.density.evaluate import Metrics, count_density, count_metrics, predict_counts
from monitor.density.registry import KNOWN_ESTIMATORS, build_estimator
from monitor.density.roi import Roi, folder_roi, load_roi
from monitor.density.splits import select
from monitor.training.options import add_train_arguments, train_config


def _guarded(handler: Handler) -> Handler:
    return guarded(handler, DatasetError, ValueError, FileNotFoundError)


def load_estimator(name_or_path: str | None, threads: int = 1) -> DensityEstimator:
    """A registered name ('default', 'hog', ...) or a model file (.onnx or a classic .joblib)."""
    value = name_or_path or "default"
    path = Path(value).expanduser()
    if path.is_file():
        if path.suffix.lower() == ".onnx":
            return build_estimator(
                EstimatorConfig(name="onnx", model_path=str(path), threads=threads)
            )
        return build_estimator(EstimatorConfig(name="classic", model_path=str(path)))
    if value in KNOWN_ESTIMATORS:
        return build_estimator(EstimatorConfig(name=value, threads=threads))
    raise CommandError(
        f"--model {value!r} is neither a model file nor one of: {', '.join(KNOWN_ESTIMATORS)}"
    )


def _add_model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        default="default",
        metavar="NAME_OR_PATH",
        help=f"estimator name ({', '.join(KNOWN_ESTIMATORS)}) or model file (.onnx, .joblib); "
        "default: the shipped model",
    )
    parser.add_argument("--threads", type=int, default=1, help="CPU threads for the model")


def _image_paths(inputs: Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES),
                key=lambda p: natural_key(p.name),
            )
            if not found:
                raise CommandError(f"no images in folder {path}")
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            raise CommandError(f"no such image or folder: {path}")
    return paths


def count_command(args: argparse.Namespace) -> int:
    paths = _image_paths(args.inputs)
    roi = load_roi(args.roi) if args.roi else None
    estimator = load_estimator(args.model, args.threads)
    failures = 0
    for path in paths:
        try:
            count = count_density(estimator.estimate(read_image(path)), roi)
        except DatasetError as error:
            failures += 1
            print(f"crowd-monitor: error: {error}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps({"image": str(path), "count": round(count, 3)}), flush=True)
        else:
            print(f"{path}\t{count:.1f}", flush=True)
    return 1 if failures else 0


def _folder_roi(folder: CrowdFolder, override: str | None) -> Roi | None:
    if override:
        return load_roi(override)
    return folder_roi(folder)


def format_table(rows: Sequence[tuple[str, Metrics]]) -> str:
    header = (
        f"{'data':<28} {'split':<6} {'images':>6} {'MAE':>8} {'RMSE':>8} {'bias':>8} {'mean':>8}"
    )
    lines = [header, "-" * len(header)]
    for label, m in rows:
        name, _, split = label.partition("|")
        lines.append(
            f"{name:<28} {split:<6} {m.n:>6} {m.mae:>8.2f} {m.rmse:>8.2f} {m.bias:>+8.2f} "
            f"{m.mean_true:>8.1f}"
        )
    return "\n".join(lines)


def evaluate_command(args: argparse.Namespace) -> int:
    folders = [load_folder(path) for path in args.data]
    estimator = load_estimator(args.model, args.threads)
    rows = []
    for folder in folders:
        images = select(folder, args.split)
        roi = _folder_roi(folder, args.roi)
        true = [i.true_count for i in images]
        rows.append(
            (
                f"{folder.name}|{args.split}",
                count_metrics(predict_counts(estimator, images, roi), true),
            )
        )
    print(f"model: {args.model}")
    print(format_table(rows))
    return 0


def train_command(args: argparse.Namespace) -> int:
    try:
        config = train_config(args)
        from monitor.training.train import train
    except ImportError as error:
        raise CommandError(
            f"training needs the train extra (pip install 'crowd-monitor[train]'): {error}"
        ) from error
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    metrics = train(config)
    print(format_table([(f"{name}|val", m) for name, m in metrics.items()]))
    print(f"wrote {config.out}")
    return 0


def _calibrate_scale(
    folder: CrowdFolder, estimator: DensityEstimator, roi: Roi | None, args: argparse.Namespace
) -> int:
    images = folder.images
    true = [i.true_count for i in images]
    before = predict_counts(estimator, images, roi)
    scale = fit_count_scale(before, true)
    rows = [
        ("before|all", count_metrics(before, true)),
        ("after (fitted)|all", count_metrics([scale * p for p in before], true)),
    ]
    if len(images) >= 3:
        rows.append(
            ("after (leave-one-out)|all", count_metrics(leave_one_out_scaled(before, true), true))
        )
    print(format_table(rows))
    snippet = scale_snippet(scale, args.site)
    out = Path(args.out or "count_scale.yaml")
    out.write_text(snippet)
    print(f"\ncount_scale = {scale:.4f}; wrote {out}; put this in the site's config:\n")
    print(snippet, end="")
    return 0


def _calibrate_classic(
    folder: CrowdFolder, estimator: DensityEstimator, roi: Roi | None, args: argparse.Namespace
) -> int:
    from monitor.density.classic import fit_classic

    if not folder.has_heads:
        raise CommandError(f"{folder.root} needs heads.csv (image,x,y) to fit the classic model")
    images = folder.images
    if len(images) < 4:
        raise CommandError("the classic model needs 4 or more annotated frames")
    frames = [read_image(i.path) for i in images]
    true = [i.true_count for i in images]
    mask = roi.mask_for((frames[0].shape[1], frames[0].shape[0])) if roi else None
    before = [count_density(estimator.estimate(f), roi) for f in frames]
    # Held-out error from two halves (even / odd frames) fitted on each other.
    held_out = [0.0] * len(frames)
    for part in (0, 1):
        fit_idx = [i for i in range(len(frames)) if i % 2 != part]
        model = fit_classic(
            [frames[i] for i in fit_idx],
            [images[i].heads for i in fit_idx],
            perspective=folder.perspective,
            roi=mask,
        )
        for i in range(part, len(frames), 2):
            held_out[i] = count_density(model.estimate(frames[i]), roi)
    final = fit_classic(frames, [i.heads for i in images], perspective=folder.perspective, roi=mask)
    out = Path(args.out or "site-classic.joblib").resolve()
    final.save(out)
    print(
        format_table(
            [
                ("before|all", count_metrics(before, true)),
                ("classic (held-out halves)|all", count_metrics(held_out, true)),
            ]
        )
    )
    print(f"\nwrote {out}; the estimator is app-wide, in the config's `estimator:` section:\n")
    print(f"estimator:\n  name: classic\n  model_path: {out}")
    return 0


def calibrate_command(args: argparse.Namespace) -> int:
    folder = load_folder(args.data)
    roi = _folder_roi(folder, args.roi)
    estimator = load_estimator(args.model, args.threads)
    if args.method == "classic":
        return _calibrate_classic(folder, estimator, roi, args)
    return _calibrate_scale(folder, estimator, roi, args)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    count = commands.add_parser("count", help="count people in images with a density model")
    _add_model_args(count)
    count.add_argument("--roi", help="region: PNG mask (non-zero inside) or JSON [[x, y], ...]")
    count.add_argument("--json", action="store_true", help='one {"image", "count"} object a line')
    count.add_argument("inputs", nargs="+", metavar="IMAGE_OR_DIR")
    count.set_defaults(handler=_guarded(count_command))

    evaluate = commands.add_parser("evaluate", help="MAE and RMSE on annotated folders")
    _add_model_args(evaluate)
    evaluate.add_argument(
        "--data",
        type=Path,
        action="append",
        required=True,
        metavar="DIR",
        help="folder in the shared format (repeatable)",
    )
    evaluate.add_argument(
        "--split",
        choices=("all", "train", "val"),
        default="all",
        help="'val': the held-out split the model card reports",
    )
    evaluate.add_argument("--roi", help="override the folder's roi_mask.png")
    evaluate.set_defaults(handler=_guarded(evaluate_command))

    train = commands.add_parser("train", help="train and export the density network (train extra)")
    add_train_arguments(train)
    train.set_defaults(handler=_guarded(train_command))

    calibrate = commands.add_parser(
        "calibrate", help="fit a per-site count_scale (or classic model) on annotated frames"
    )
    _add_model_args(calibrate)
    calibrate.add_argument(
        "--data",
        type=Path,
        required=True,
        metavar="DIR",
        help="a few frames of one camera in the shared format",
    )
    calibrate.add_argument("--method", choices=("scale", "classic"), default="scale")
    calibrate.add_argument("--roi", help="region: PNG mask or JSON polygon (default: folder's)")
    calibrate.add_argument("--site", help="site id for the YAML snippet")
    calibrate.add_argument("--out", help="file to write (count_scale.yaml / site-classic.joblib)")
    calibrate.set_defaults(handler=_guarded(calibrate_command))
