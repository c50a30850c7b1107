"""Does the picture-quality flag fire when the count stops being trustworthy?

    python -m bench.quality_bench [--data DIR] [--limit N]

Each validation image is degraded one way at a time (sensor noise, blur, JPEG, one H.264
intra frame, a covered lens) and counted again with the shipped model. A frame is in
trouble when its count moved by more than 10% of the clean count (of at least 10 people)
through the degradation alone. Each row shows, per dataset, the share of frames the site's
default limits flag (`monitor/quality`, judged frame by frame: a window of one) and the
share in trouble. Below the table: how often a flag means trouble (precision), how much
trouble is flagged (recall), and what one assessment costs on one thread.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.density_bench import data_missing, default_data
from bench.robustness_bench import Degradation, unchanged, with_h264, with_jpeg, with_noise
from monitor.config.quality import ImageQualityConfig
from monitor.density.base import Frame
from monitor.density.dataset import load_folder, read_image
from monitor.density.evaluate import count_density
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.density.registry import default_model_path
from monitor.density.roi import folder_roi
from monitor.density.splits import select
from monitor.quality.assess import assess_frame
from monitor.quality.verdict import QualityTracker

# Dataset and the stride through its validation images (Mall's neighbours are near-duplicates).
DATASETS = (("shanghaitech_b", 1), ("mall", 4), ("shanghaitech_a", 1))
SHIFT_LIMIT = 0.10
MIN_BASE_COUNT = 10.0  # a shift of 1 person in 3 is not what operators mean by trouble


def _blur(sigma: float) -> Degradation:
    return lambda frame, _rng: cv2.GaussianBlur(frame, (0, 0), sigma).astype(np.uint8, copy=False)


def _covered(frame: Frame, rng: np.random.Generator) -> Frame:
    """A hand or a bag over the lens: the frame's mean colour, dimmed, with a little noise."""
    colour = frame.reshape(-1, frame.shape[-1]).mean(axis=0) * 0.3
    return with_noise(3.0)(np.broadcast_to(colour, frame.shape).astype(np.uint8), rng)


DEGRADATIONS: dict[str, Degradation] = {
    "clean": unchanged,
    "noise 5": with_noise(5.0),
    "noise 10": with_noise(10.0),
    "noise 15": with_noise(15.0),
    "blur 1.5": _blur(1.5),
    "blur 3": _blur(3.0),
    "jpeg 30": with_jpeg(30),
    "jpeg 15": with_jpeg(15),
    "jpeg 10": with_jpeg(10),
    "h264 28": with_h264(28),
    "h264 35": with_h264(35),
    "h264 41": with_h264(41),
    "h264 45": with_h264(45),
    "covered": _covered,
}


@dataclass(frozen=True, slots=True)
class Outcome:
    flagged: bool
    trouble: bool


def outcomes(
    estimator: OnnxDensityEstimator, frames: list[Frame], roi_count: list[float], roi: object
) -> dict[str, list[Outcome]]:
    """Per degradation, per frame: flagged by the default limits, and in trouble."""
    config = ImageQualityConfig(window_frames=1)
    results: dict[str, list[Outcome]] = {}
    for seed, (name, degrade) in enumerate(DEGRADATIONS.items()):
        rng = np.random.default_rng(seed)
        rows = []
        for frame, clean in zip(frames, roi_count, strict=True):
            degraded = degrade(frame, rng)
            count = count_density(estimator.estimate(degraded), roi)  # type: ignore[arg-type]
            verdict = QualityTracker(config).update(assess_frame(degraded))
            shift = abs(count - clean) / max(clean, MIN_BASE_COUNT)
            rows.append(Outcome(flagged=bool(verdict.issues), trouble=shift > SHIFT_LIMIT))
        results[name] = rows
    return results


def assessment_ms(shape: tuple[int, int], repeats: int = 20) -> float:
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
    frame = cv2.GaussianBlur(noise, (0, 0), 2).astype(np.uint8, copy=False)
    assess_frame(frame)
    started = time.perf_counter()
    for _ in range(repeats):
        assess_frame(frame)
    return (time.perf_counter() - started) / repeats * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--limit", type=int, help="at most N validation images per dataset")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 1
    cv2.setNumThreads(1)
    estimator = OnnxDensityEstimator(default_model_path(), threads=1)
    table: dict[str, dict[str, list[Outcome]]] = {}
    for name, stride in DATASETS:
        if not (args.data / name).is_dir():
            continue
        folder = load_folder(args.data / name)
        roi = folder_roi(folder)
        images = select(folder, "val")[::stride][: args.limit]
        frames = [read_image(image.path) for image in images]
        clean = [count_density(estimator.estimate(frame), roi) for frame in frames]
        table[name] = outcomes(estimator, frames, clean, roi)
    if not table:
        print(f"none of {[n for n, _ in DATASETS]} in {args.data}", file=sys.stderr)
        return 1
    width = 22
    print(f"{'degradation':<14}" + "".join(f"{name:>{width}}" for name in table))
    print(f"{'':<14}" + "".join(f"{'flagged / trouble':>{width}}" for _ in table))
    print("-" * (14 + width * len(table)))
    for degradation in DEGRADATIONS:
        cells = ""
        for per_dataset in table.values():
            rows = per_dataset[degradation]
            flagged_share = np.mean([row.flagged for row in rows])
            trouble_share = np.mean([row.trouble for row in rows])
            cells += f"{f'{flagged_share:.0%} / {trouble_share:.0%}':>{width}}"
        print(f"{degradation:<14}{cells}")
    every = [row for per_dataset in table.values() for rows in per_dataset.values() for row in rows]
    flagged = [row for row in every if row.flagged]
    trouble = [row for row in every if row.trouble]
    clean_rows = [row for per_dataset in table.values() for row in per_dataset["clean"]]
    precision = np.mean([row.trouble for row in flagged]) if flagged else float("nan")
    recall = np.mean([row.flagged for row in trouble]) if trouble else float("nan")
    print(
        f"flags that meant trouble (precision): {precision:.0%}; trouble flagged (recall): "
        f"{recall:.0%}; clean frames flagged: {np.mean([r.flagged for r in clean_rows]):.0%}"
    )
    print(
        "one assessment on one thread: "
        f"{assessment_ms((480, 640)):.1f} ms at 640x480, "
        f"{assessment_ms((1080, 1920)):.1f} ms at 1920x1080"
    )
    sizes = ", ".join(f"{name}: {len(rows['clean'])}" for name, rows in table.items())
    print(f"validation images: {sizes}; trouble: the count moved by over {SHIFT_LIMIT:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
