"""Density estimators side by side: accuracy on the held-out split, and speed.

    python -m bench.density_bench [--data DIR] [--limit N]

Accuracy is MAE / RMSE of the count on each dataset's validation split (the one the model card
reports; see monitor/density/splits.py), counted inside the dataset's ROI where it has one.
Speed is the median ms per 640x480 frame on one thread. The classic estimator is fitted on each
dataset's own training split first (it is a per-camera model), so its column is an upper bound
for scenes it has never seen.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from monitor.density.base import DensityEstimator, Frame
from monitor.density.classic import ClassicDensityEstimator, fit_classic
from monitor.density.dataset import CrowdFolder, load_folder, read_image
from monitor.density.evaluate import Metrics, evaluate_images
from monitor.density.hog import HogDensityEstimator
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.registry import default_model_path
from monitor.density.roi import folder_roi
from monitor.density.splits import select

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = ("mall", "shanghaitech_b", "shanghaitech_a")
# Mall's 640 training frames are near-duplicates two per second; every 4th fits as well.
CLASSIC_TRAIN_STRIDE = {"mall": 4}


def default_data() -> Path:
    return Path(os.environ.get("CROWD_DATA", REPO_ROOT.parent / "shared" / "data"))


def data_missing(data: Path) -> bool:
    """True, with the reason on stderr, when the benchmarks' data folder is not there."""
    if data.is_dir():
        return False
    print(f"data folder not found: {data} (use --data or CROWD_DATA)", file=sys.stderr)
    return True


def fit_classic_on(folder: CrowdFolder) -> ClassicDensityEstimator:
    images = select(folder, "train")[:: CLASSIC_TRAIN_STRIDE.get(folder.name, 1)]
    frames = [read_image(i.path) for i in images]
    return fit_classic(
        frames, [i.heads for i in images], perspective=folder.perspective, roi=folder.roi_mask
    )


def ms_per_frame(estimator: DensityEstimator, frame: Frame, runs: int = 20) -> tuple[float, float]:
    """Median and fastest ms per frame; the fastest is the one to trust on a busy machine."""
    estimator.estimate(frame)  # warm-up: first-call allocations
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        estimator.estimate(frame)
        times.append(time.perf_counter() - started)
    return 1000.0 * statistics.median(times), 1000.0 * min(times)


def vga_frame(data: Path) -> Frame:
    try:
        frame = read_image(select(load_folder(data / "mall"), "val")[0].path)
    except Exception:  # no data: the speed still means something on a textured frame
        frame = np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8)
    return np.asarray(cv2.resize(frame, (640, 480)), dtype=np.uint8)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--model", type=Path, default=default_model_path())
    parser.add_argument("--limit", type=int, help="at most N validation images per dataset")
    parser.add_argument("--no-hog", action="store_true", help="skip the (slow) HOG accuracy run")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 1
    cv2.setNumThreads(1)
    with threadpool_limits(limits=1):
        return run(args)


def run(args: argparse.Namespace) -> int:
    folders = [load_folder(args.data / n) for n in DATASETS if (args.data / n).is_dir()]
    onnx = OnnxDensityEstimator(args.model, threads=1)
    hog = HogDensityEstimator()
    classics = {}
    for folder in folders:
        started = time.perf_counter()
        classics[folder.name] = fit_classic_on(folder)
        print(
            f"fitted classic on {folder.name} in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
    rows: dict[str, dict[str, Metrics]] = {"onnx": {}, "classic": {}, "hog": {}}
    for folder in folders:
        images = select(folder, "val")[: args.limit]
        roi = folder_roi(folder)
        chosen: dict[str, Callable[[], DensityEstimator]] = {
            "onnx": lambda: onnx,
            "classic": lambda f=folder: classics[f.name],  # type: ignore[misc]
        }
        if not args.no_hog:
            chosen["hog"] = lambda: hog
        for name, estimator in chosen.items():
            rows[name][folder.name] = evaluate_images(estimator(), images, roi)
            print(f"evaluated {name} on {folder.name}", file=sys.stderr)
    frame = vga_frame(args.data)
    timing_classic = classics.get("mall") or next(iter(classics.values()))
    speeds = {
        "onnx": ms_per_frame(onnx, frame),
        "classic": ms_per_frame(timing_classic, frame),
        "hog": ms_per_frame(hog, frame, runs=5),
    }
    print(f"model: {args.model} ({args.model.stat().st_size / 1e6:.1f} MB)")
    header = f"{'estimator':<10}" + "".join(f"{f.name + ' MAE/RMSE':>26}" for f in folders)
    print(header + f"{'ms/frame 640x480 median (min)':>32}")
    print("-" * (len(header) + 32))
    for name, per_set in rows.items():
        cells = "".join(
            f"{per_set[f.name].mae:>16.2f} / {per_set[f.name].rmse:<7.2f}"
            if f.name in per_set
            else f"{'-':>26}"
            for f in folders
        )
        median, fastest = speeds[name]
        print(f"{name:<10}{cells}{f'{median:.1f} ({fastest:.1f})':>32}")
    counts = ", ".join(f"{f.name}: {rows['onnx'][f.name].n}" for f in folders)
    print(f"validation images: {counts}; speed: single thread, median of runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
