"""The density model on degraded frames: sensor noise, compression, and empty noisy frames.

    python -m bench.robustness_bench [--data DIR] [--model PATH ...] [--limit N]

Each validation image is degraded one way at a time and counted again: Gaussian sensor noise
(sigma 10 and 20 grey levels, as a camera at high gain at night), a JPEG round trip (quality
30 and 10) and one H.264 intra frame (libx264 at CRF 28, a typical stream, and 35 and 45, a
starved one). Cells are MAE (bias) of the count on ShanghaiTech B's validation split and on
every 4th Mall validation frame (neighbouring frames are near-duplicates), inside the ROI where
the dataset has one. The last column is the count in an empty 640x480 mid-grey frame with noise
of sigma 30 / 40, where the right answer is 0. Draws are seeded: two runs print the same table.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.density_bench import data_missing, default_data
from monitor.density.base import DensityEstimator, Frame
from monitor.density.dataset import load_folder, read_image
from monitor.density.evaluate import Metrics, count_density, count_metrics
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.registry import default_model_path
from monitor.density.roi import Roi, folder_roi
from monitor.density.splits import select
from monitor.training.compression import h264_round_trip, jpeg_round_trip

Degradation = Callable[[Frame, np.random.Generator], Frame]
# Dataset and the stride through its validation images.
DATASETS = (("shanghaitech_b", 1), ("mall", 4))
EMPTY_FRAME_SIGMAS = (30.0, 40.0)


def with_noise(sigma: float) -> Degradation:
    def degrade(frame: Frame, rng: np.random.Generator) -> Frame:
        noisy = frame.astype(np.float32) + rng.normal(0.0, sigma, frame.shape)
        result: Frame = np.clip(noisy, 0, 255).astype(np.uint8)
        return result

    return degrade


def with_jpeg(quality: int) -> Degradation:
    return lambda frame, _rng: jpeg_round_trip(frame, quality)


def with_h264(crf: int) -> Degradation:
    return lambda frame, _rng: h264_round_trip(frame, crf)


def unchanged(frame: Frame, _rng: np.random.Generator) -> Frame:
    return frame


DEGRADATIONS: dict[str, Degradation] = {
    "clean": unchanged,
    "noise 10": with_noise(10.0),
    "noise 20": with_noise(20.0),
    "jpeg 30": with_jpeg(30),
    "jpeg 10": with_jpeg(10),
    "h264 28": with_h264(28),
    "h264 35": with_h264(35),
    "h264 45": with_h264(45),
}


def degraded_metrics(
    estimator: DensityEstimator, frames: list[Frame], true: list[float], roi: Roi | None
) -> dict[str, Metrics]:
    """Metrics per degradation; each degradation draws from its own seeded generator."""
    results = {}
    for seed, (name, degrade) in enumerate(DEGRADATIONS.items()):
        rng = np.random.default_rng(seed)
        predicted = [count_density(estimator.estimate(degrade(f, rng)), roi) for f in frames]
        results[name] = count_metrics(predicted, true)
    return results


def empty_frame_counts(estimator: DensityEstimator) -> list[float]:
    counts = []
    for sigma in EMPTY_FRAME_SIGMAS:
        rng = np.random.default_rng(int(sigma))
        frame = with_noise(sigma)(np.full((480, 640, 3), 128, dtype=np.uint8), rng)
        counts.append(estimator.estimate(frame).count)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--model", type=Path, nargs="+", default=[default_model_path()])
    parser.add_argument("--limit", type=int, help="at most N validation images per dataset")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 1
    sets = []
    for name, stride in DATASETS:
        if not (args.data / name).is_dir():
            continue
        folder = load_folder(args.data / name)
        images = select(folder, "val")[::stride][: args.limit]
        frames = [read_image(image.path) for image in images]
        sets.append((name, frames, [i.true_count for i in images], folder_roi(folder)))
    if not sets:
        print(f"none of {[n for n, _ in DATASETS]} in {args.data}", file=sys.stderr)
        return 1
    width = 16
    header = f"{'model':<22}{'dataset':<16}" + "".join(f"{n:>{width}}" for n in DEGRADATIONS)
    print(header + f"{'empty, noise ' + '/'.join(f'{s:.0f}' for s in EMPTY_FRAME_SIGMAS):>22}")
    print("-" * (len(header) + 22))
    for model in args.model:
        estimator = OnnxDensityEstimator(model, threads=1)
        empty = " / ".join(f"{count:.1f}" for count in empty_frame_counts(estimator))
        for row, (name, frames, true, roi) in enumerate(sets):
            metrics = degraded_metrics(estimator, frames, true, roi)
            cells = "".join(f"{f'{m.mae:.2f} ({m.bias:+.1f})':>{width}}" for m in metrics.values())
            label = model.stem[:21] if row == 0 else ""
            print(f"{label:<22}{name:<16}{cells}{empty if row == 0 else '':>22}", flush=True)
    sizes = ", ".join(f"{name}: {len(frames)}" for name, frames, _, _ in sets)
    print(f"validation images: {sizes}; cells: count MAE (bias), people")
    return 0


if __name__ == "__main__":
    sys.exit(main())
