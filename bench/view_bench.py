"""Does the view check catch a camera moved off its set-up view, and only then?

    python -m bench.view_bench [--data DIR] [--stride N]

One fixed camera: Mall's 800 frames in time order, the first one the set-up view. The whole
day's footage is run through the site's view watch (`monitor/quality/view_watch.py`) as if
each frame were a check, once as it is and with the light, the stream or the focus made
worse (the camera still held: it should flag nothing), and once with the camera moved
(panned, tilted, zoomed or turned: it should flag every check once its window has seen the
move, unless the move is under the limit). A row is one camera history; `flagged` is the
share of its checks, after the first window, that read "moved". The last row shows the
frames of other cameras (ShanghaiTech B's validation images) to the Mall set-up view.

Then ShanghaiTech B: each validation image is its own set-up view, checked once against its
moved and its worse copies, for the many street scenes one camera cannot show. Below: what
one check costs on one thread.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.density_bench import data_missing, default_data
from bench.robustness_bench import with_jpeg, with_noise
from monitor.config.quality import ImageQualityConfig
from monitor.density.base import Frame
from monitor.density.crowd_mask import PeopleGrid
from monitor.density.dataset import load_folder, read_image
from monitor.density.splits import select
from monitor.quality.view import match_view, view_print, view_shift
from monitor.quality.view_watch import CHECK_EVERY_S, WINDOW_CHECKS, ViewWatch

LIMIT = ImageQualityConfig().view_shift_limit
Change = Callable[[Frame], Frame]


def camera_moved(dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0, turn: float = 0.0) -> Change:
    def move(frame: Frame) -> Frame:
        height, width = frame.shape[:2]
        transform = cv2.getRotationMatrix2D((width / 2, height / 2), turn, zoom)
        transform[0, 2] += dx * width
        transform[1, 2] += dy * width
        warped = cv2.warpAffine(frame, transform, (width, height), borderMode=cv2.BORDER_REPLICATE)
        return np.asarray(warped, dtype=np.uint8)

    return move


def true_shift(
    width: int, height: int, dx: float = 0.0, dy: float = 0.0, zoom: float = 1.0, turn: float = 0.0
) -> float:
    """The largest corner move of `camera_moved(...)`, as a share of the width."""
    transform = cv2.getRotationMatrix2D((width / 2, height / 2), turn, zoom)
    transform[0, 2] += dx * width
    transform[1, 2] += dy * width
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float64)
    moved = corners @ transform[:, :2].T + transform[:, 2]
    return float(np.max(np.linalg.norm(moved - corners, axis=1)) / width)


def _resized(frame: Frame, size: tuple[int, int]) -> Frame:
    return np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _dusk(frame: Frame) -> Frame:
    dark = (frame.astype(np.float32) / 255.0) ** 2.2 * 150.0
    result: Frame = np.clip(dark, 0, 255).astype(np.uint8)
    return result


def _blur(frame: Frame) -> Frame:
    return np.asarray(cv2.GaussianBlur(frame, (0, 0), 1.5), dtype=np.uint8)


_RNG = np.random.default_rng(11)
HELD: dict[str, Change] = {
    "held: as filmed": lambda frame: frame,
    "held: dusk": _dusk,
    "held: grain 10": lambda frame: with_noise(10.0)(frame, _RNG),
    "held: JPEG 15": lambda frame: with_jpeg(15)(frame, _RNG),
    "held: soft focus": _blur,
}
PACKED_FROM = 0.3  # share of the height: the floor below is packed with people


def packed(frame: Frame) -> Frame:
    """The floor below PACKED_FROM crammed with 1,500 people: their heads are high-contrast
    corners, many times the scene's own."""
    height, width = frame.shape[:2]
    rng = np.random.default_rng(int(frame[0, 0, 0]))
    crowded = frame.copy()
    for _ in range(1500):
        x, y = int(rng.integers(0, width)), int(rng.integers(int(height * PACKED_FROM), height))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.ellipse(crowded, (x, y), (5, 12), 0, 0, 360, colour, -1)
        cv2.circle(crowded, (x, y - 14), 4, (30, 35, 40), -1)
    return crowded


def packed_people(width: int, height: int) -> PeopleGrid:
    """The density map's word on `packed`: people everywhere below PACKED_FROM."""
    people = np.zeros((height // 8, width // 8), np.float32)
    people[int(height * PACKED_FROM) // 8 - 3 :] = 0.1
    return people


MOVES: dict[str, dict[str, float]] = {
    "moved: pan 2%": {"dx": 0.02},
    "moved: pan 4%": {"dx": 0.04},
    "moved: pan 8%": {"dx": 0.08},
    "moved: tilt 5%": {"dy": 0.05},
    "moved: zoom 1.05": {"zoom": 1.05},
    "moved: zoom 1.10": {"zoom": 1.10},
    "moved: turn 2 deg": {"turn": 2.0},
}


@dataclass(frozen=True)
class Row:
    name: str
    checks: int
    flagged: float  # share of checks after the first window
    shift: float | None  # median measured; None: not recognised
    truth: float | None  # the move's own; None for the held rows and other scenes


def watch_history(
    anchor: Frame, frames: list[Frame], change: Change, people: PeopleGrid | None = None
) -> tuple[float, float | None]:
    watch = ViewWatch(view_print(anchor))
    flags: list[bool] = []
    shifts: list[float] = []
    for i, frame in enumerate(frames):
        state = watch.check(i * CHECK_EVERY_S, change(frame), LIMIT, people)
        if state is None or i < WINDOW_CHECKS:
            continue
        flags.append(state.moved)
        shifts.append(math.inf if state.shift is None else state.shift)
    median = float(np.median(shifts))
    return float(np.mean(flags)), (median if math.isfinite(median) else None)


def single_check(anchor: Frame, current: Frame) -> float | None:
    before, after = view_print(anchor), view_print(current)
    transform = match_view(before, after)
    return None if transform is None else view_shift(transform, before, after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--stride", type=int, default=2, help="every Nth Mall frame is a check")
    args = parser.parse_args(argv)
    if data_missing(args.data):
        return 1
    mall_dir, streets_dir = args.data / "mall", args.data / "shanghaitech_b"
    if not mall_dir.is_dir():
        print(f"no mall/ in {args.data}", file=sys.stderr)
        return 1
    cv2.setNumThreads(1)
    day = [read_image(image.path) for image in load_folder(mall_dir).images[:: args.stride]]
    height, width = day[0].shape[:2]
    rows = [
        Row(name, len(day), *watch_history(day[0], day, change), None)
        for name, change in HELD.items()
    ]
    people = packed_people(width, height)
    for name, told in (("held: packed floor", people), ("packed, not masked", None)):
        rows.append(Row(name, len(day), *watch_history(day[0], day, packed, told), None))
    for name, move in MOVES.items():
        flagged, shift = watch_history(day[0], day, camera_moved(**move))
        rows.append(Row(name, len(day), flagged, shift, true_shift(width, height, **move)))
    streets = (
        [read_image(i.path) for i in select(load_folder(streets_dir), "val")]
        if streets_dir.is_dir()
        else []
    )
    if streets:
        others = [_resized(street, (width, height)) for street in streets]
        flagged, shift = watch_history(day[0], others, lambda frame: frame)
        rows.append(Row("another camera", len(others), flagged, shift, None))

    print(f"Mall, one fixed camera: {len(day)} checks over the day, limit {LIMIT:.0%} of the width")
    print(f"{'camera history':<20}{'checks':>8}{'flagged':>10}{'shift':>10}{'true':>8}")
    print("-" * 56)
    for row in rows:
        measured = "unknown" if row.shift is None else f"{row.shift:.4f}"
        truth = "" if row.truth is None else f"{row.truth:.4f}"
        print(f"{row.name:<20}{row.checks:>8}{row.flagged:>10.0%}{measured:>10}{truth:>8}")

    if streets:
        print()
        print(f"ShanghaiTech B, {len(streets)} street scenes, one check each: share flagged")
        print("-" * 56)
        cases: dict[str, Change] = {**HELD, **{n: camera_moved(**m) for n, m in MOVES.items()}}
        for name, change in cases.items():
            results = [single_check(street, change(street)) for street in streets]
            share = float(np.mean([r is None or r > LIMIT for r in results]))
            print(f"{name:<20}{share:>10.0%}")

    costs = []
    for size in ((640, 480), (1920, 1080)):
        frame = _resized(day[0], size)
        reference = view_print(frame)
        others = [_resized(other, size) for other in day[1:21]]
        started = time.perf_counter()
        for other in others:
            match_view(reference, view_print(other))
        per_check_ms = (time.perf_counter() - started) / len(others) * 1000
        costs.append(f"{per_check_ms:.1f} ms at {size[0]}x{size[1]}")
    print()
    print(
        f"one check (corners + match), one thread: {', '.join(costs)}; every {CHECK_EVERY_S:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
