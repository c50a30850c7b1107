"""Crowd-motion benchmark: how right and how costly the speed and crowd pressure are.

    python -m bench.motion_bench [--repeats 30] [--no-clip]

1. Synthetic crowds with a known motion, through the real flow and measurement: textured
   lanes of people (1.2 m wide) at 4 persons/m², all walking one way, in counterflow, or
   standing. In counterflow every 3 m window holds lanes going both ways, so its velocity
   variance is v² and its pressure 4 v².
2. Time per frame (flow copy, DIS flow, measurement) on one thread, by frame size.
3. The sample clip (PETS 2009, a sparse plaza) through the shipped model and the demo's first
   uncalibrated site, every 5th frame (2 analysed frames a second): how fast its people walk
   and how often a calm scene would be called turbulent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from monitor.config.loader import load_config
from monitor.config.settings import Settings
from monitor.density.base import Frame
from monitor.density.onnx_model import OnnxDensityEstimator
from monitor.ingest.samples import ensure_sample
from monitor.measure.geometry import SiteGeometry, build_geometry
from monitor.measure.ground import GroundModel, ground_model, uniform_scale
from monitor.measure.measure import measure
from monitor.motion.camera import camera_motion, steadied
from monitor.motion.flow import flow_frame, optical_flow
from monitor.motion.measure import measure_motion
from monitor.motion.tracker import MotionTracker

FRAME = (640, 480)
METRES_PER_PIXEL = 0.05
LANE_PX = 24  # 1.2 m
DT_S = 0.5
DENSITY = 4.0  # persons/m²
PRESSURE_LIMIT = 0.02
MIN_DENSITY = 2.0


@dataclass(frozen=True)
class Scenario:
    name: str
    speed_m_s: float
    counterflow: bool

    def truth(self) -> tuple[float, float]:
        variance = self.speed_m_s**2 if self.counterflow else 0.0
        return self.speed_m_s, DENSITY * variance


SCENARIOS = [
    Scenario("standing", 0.0, False),
    Scenario("walking together, 0.6 m/s", 0.6, False),
    Scenario("walking together, 1.2 m/s", 1.2, False),
    Scenario("counterflow, 0.3 m/s", 0.3, True),
    Scenario("counterflow, 0.6 m/s", 0.6, True),
]


def as_frame(image: object) -> Frame:
    """OpenCV's result as the uint8 frame it is (its stubs say only 'an array')."""
    return np.asarray(image, dtype=np.uint8)


def lanes(scenario: Scenario, seed: int) -> tuple[Frame, Frame]:
    """Two frames DT_S apart of textured lanes moving as the scenario says."""
    rng = np.random.default_rng(seed)
    width, height = FRAME
    step = scenario.speed_m_s * DT_S / METRES_PER_PIXEL
    pad = int(np.ceil(step)) + 8
    grain = rng.integers(0, 256, (height, width + 2 * pad), dtype=np.uint8)
    texture = as_frame(cv2.GaussianBlur(grain, (0, 0), 1.5))
    before = texture[:, pad : pad + width]
    after = np.empty_like(before)
    for top in range(0, height, LANE_PX):
        direction = -1 if scenario.counterflow and (top // LANE_PX) % 2 else 1
        shift = step * direction
        matrix = np.array([[1.0, 0.0, shift], [0.0, 1.0, 0.0]], dtype=np.float32)
        lane = texture[top : top + LANE_PX]
        size = (lane.shape[1], lane.shape[0])
        moved = as_frame(cv2.warpAffine(lane, matrix, size, flags=cv2.INTER_CUBIC))
        after[top : top + LANE_PX] = moved[:, pad : pad + width]
    return (
        as_frame(cv2.cvtColor(before, cv2.COLOR_GRAY2BGR)),
        as_frame(cv2.cvtColor(after, cv2.COLOR_GRAY2BGR)),
    )


def synthetic_site() -> tuple[GroundModel, SiteGeometry, np.ndarray]:
    """The synthetic crowds' site: the whole frame, METRES_PER_PIXEL everywhere, 3 m peak
    windows, and DENSITY people on every 8x8 cell."""
    width, height = FRAME
    roi = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, float(height))]
    ground = uniform_scale(width * height * METRES_PER_PIXEL**2, roi)
    shape = (height // 8, width // 8)
    geometry = build_geometry(roi, ground, FRAME, shape, peak_window_m=3.0)
    return ground, geometry, np.full(shape, DENSITY * (8 * METRES_PER_PIXEL) ** 2)


def synthetic_rows(seeds: int) -> list[str]:
    ground, geometry, people = synthetic_site()
    rows = []
    for scenario in SCENARIOS:
        speeds, pressures, turbulent = [], [], 0
        for seed in range(seeds):
            before, after = lanes(scenario, seed)
            flow = optical_flow(flow_frame(before, 320, 0.0), flow_frame(after, 320, DT_S))
            motion = measure_motion(flow, people, geometry, ground, MIN_DENSITY)
            speeds.append(motion.speed_m_s)
            pressures.append(motion.pressure)
            turbulent += motion.pressure >= PRESSURE_LIMIT
        true_speed, true_pressure = scenario.truth()
        rows.append(
            f"| {scenario.name} | {true_speed:.2f} | {statistics.median(speeds):.2f} | "
            f"{true_pressure:.3f} | {statistics.median(pressures):.3f} | "
            f"{turbulent / seeds:.0%} |"
        )
    return rows


@dataclass(frozen=True)
class CameraCase:
    name: str
    walk_px: float  # the crowd's own step between the frames
    dx: float = 0.0  # the camera's, pixels
    dy: float = 0.0
    zoom: float = 1.0


CAMERA_CASES = [
    CameraCase("standing crowd, pole sways 4 px", 0.0, dx=4.0, dy=-2.0),
    CameraCase("walking 0.6 m/s, camera pans 8 px", 6.0, dx=-8.0),
    CameraCase("standing crowd, camera zooms 2%", 0.0, zoom=1.02),
    CameraCase("walking 0.6 m/s, camera still", 6.0),
]
BAND = (200, 360)  # the crowd's rows; above and below it, empty street


def swayed(case: CameraCase, seed: int, after: bool) -> Frame:
    """Textured ground with a band of crowd across it, as the camera saw it before the step
    or (`after`) once the crowd walked and the camera moved."""
    rng = np.random.default_rng(seed)
    width, height = FRAME
    ground = as_frame(
        cv2.GaussianBlur(rng.integers(0, 256, (height, width), np.uint8), (0, 0), 2.0)
    )
    grain = rng.integers(0, 256, (BAND[1] - BAND[0], width + 40), np.uint8)
    crowd = as_frame(cv2.GaussianBlur(grain, (0, 0), 1.5))
    step = case.walk_px if after else 0.0
    shift = np.array([[1.0, 0.0, step - 20.0], [0.0, 1.0, 0.0]])
    picture = ground.copy()
    picture[BAND[0] : BAND[1]] = as_frame(cv2.warpAffine(crowd, shift, (width, crowd.shape[0])))
    if after:
        camera = cv2.getRotationMatrix2D((width / 2, height / 2), 0.0, case.zoom)
        camera[0, 2] += case.dx
        camera[1, 2] += case.dy
        picture = as_frame(cv2.warpAffine(picture, camera, FRAME, borderMode=cv2.BORDER_REPLICATE))
    return as_frame(cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR))


def camera_rows(seeds: int) -> list[str]:
    width, height = FRAME
    roi = [
        (0.0, float(BAND[0])),
        (float(width), float(BAND[0])),
        (float(width), float(BAND[1])),
        (0.0, float(BAND[1])),
    ]
    ground = uniform_scale(width * (BAND[1] - BAND[0]) * METRES_PER_PIXEL**2, roi)
    shape = (height // 8, width // 8)
    geometry = build_geometry(roi, ground, FRAME, shape, peak_window_m=3.0)
    crowd = np.zeros(shape)
    crowd[BAND[0] // 8 : BAND[1] // 8] = DENSITY * (8 * METRES_PER_PIXEL) ** 2
    rows = []
    for case in CAMERA_CASES:
        cells = []
        for steady in (False, True):
            speeds, pressures = [], []
            for seed in range(seeds):
                before = flow_frame(swayed(case, seed, after=False), 320, 0.0)
                after = flow_frame(swayed(case, seed, after=True), 320, DT_S)
                flow = optical_flow(before, after)
                if steady:
                    flow = steadied(flow, camera_motion(flow, after.grey, crowd))
                motion = measure_motion(flow, crowd, geometry, ground, MIN_DENSITY)
                speeds.append(motion.speed_m_s)
                pressures.append(motion.pressure)
            cells.append(f"{statistics.median(speeds):.2f} | {statistics.median(pressures):.3f}")
        true_speed = case.walk_px * METRES_PER_PIXEL / DT_S
        rows.append(f"| {case.name} | {true_speed:.2f} | {cells[0]} | {cells[1]} |")
    return rows


def timing_rows(repeats: int) -> list[str]:
    rows = []
    rng = np.random.default_rng(0)
    for width, height in [(640, 480), (768, 576), (1280, 720), (1920, 1080)]:
        roi = [(0.0, 0.0), (float(width), 0.0), (float(width), float(height)), (0.0, height)]
        ground = uniform_scale(300.0, roi)
        shape = (height // 8, width // 8)
        geometry = build_geometry(roi, ground, (width, height), shape, peak_window_m=3.0)
        people = np.full(shape, 0.05)
        crowd = people.copy()
        crowd[: shape[0] // 2] = 0.0  # empty ground above, for the camera's motion to be fitted
        grain = rng.integers(0, 256, (height, width + 8, 3), dtype=np.uint8)
        texture = as_frame(cv2.GaussianBlur(grain, (0, 0), 1.5))
        before, after = texture[:, :width].copy(), texture[:, 4 : width + 4].copy()
        previous = flow_frame(before, 320, 0.0)
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            current = flow_frame(after, 320, DT_S)
            flow = optical_flow(previous, current)
            flow = steadied(flow, camera_motion(flow, current.grey, crowd))
            measure_motion(flow, people, geometry, ground, MIN_DENSITY)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        rows.append(
            f"| {width}x{height} | {statistics.median(times):.2f} | "
            f"{times[int(0.95 * (len(times) - 1))]:.2f} |"
        )
    return rows


# The sample clip as filmed, and seen from a pole swaying 4 px to and fro between frames
# (a stiff breeze): with the camera's motion taken as it is and taken out.
CLIP_VIEWS = (
    ("as filmed", 0.0, True),
    ("pole sways 4 px, taken as it is", 4.0, False),
    ("pole sways 4 px, camera taken out", 4.0, True),
)


def clip_rows(config_path: Path) -> list[str]:
    clip = ensure_sample("vtest", Settings().sample_cache)
    config = load_config(config_path)
    site = next(s for s in config.sites if s.ground.calibration is None)
    ground = ground_model(site.ground, site.roi)
    estimator = OnnxDensityEstimator(Path("models/crowd-density.onnx"))
    capture = cv2.VideoCapture(str(clip))
    images: list[Frame] = []
    index = 0
    while True:
        ok, read = capture.read()
        if not ok:
            break
        index += 1
        if index % 5 == 0:
            images.append(as_frame(read))
    capture.release()
    rows = []
    for name, sway_px, steady in CLIP_VIEWS:
        tracker = MotionTracker()
        settings = site.motion.model_copy(update={"steady_camera": steady})
        speeds: list[float] = []
        pressures: list[float] = []
        turbulent = 0
        for i, original in enumerate(images):
            sway = np.array([[1.0, 0.0, sway_px * (i % 2)], [0.0, 1.0, -sway_px / 2 * (i % 2)]])
            size = (original.shape[1], original.shape[0])
            image = as_frame(cv2.warpAffine(original, sway, size, borderMode=cv2.BORDER_REPLICATE))
            density = estimator.estimate(image)
            geometry = build_geometry(
                site.roi, ground, density.frame_size, density.values.shape, site.peak_window_m
            )
            measured = measure(density, geometry, site.count_scale)
            motion = tracker.follow(
                settings,
                image,
                (i + 1) / 2,
                measured.people,
                geometry,
                ground,
                crowd=density.values,
            )
            if motion is not None:
                speeds.append(motion.speed_m_s)
                pressures.append(motion.pressure)
                turbulent += motion.turbulent
        if not speeds:
            continue
        speeds.sort()
        rows.append(
            f"| vtest, site {site.id}, {name} | {len(speeds)} | "
            f"{statistics.median(speeds):.2f} | {speeds[int(0.95 * (len(speeds) - 1))]:.2f} | "
            f"{max(pressures):.3f} | {turbulent / len(speeds):.0%} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="synthetic draws per scenario")
    parser.add_argument("--repeats", type=int, default=30, help="timed runs per frame size")
    parser.add_argument("--config", type=Path, default=Path("configs/demo.yaml"))
    parser.add_argument("--no-clip", action="store_true", help="skip the sample clip")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    print(
        "| synthetic crowd, 4 /m² | true speed m/s | measured | true pressure /s² | measured "
        "| called turbulent |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in synthetic_rows(args.seeds):
        print(row)
    print()
    print(
        "| camera moving | true speed m/s | as it is: speed | pressure "
        "| camera taken out: speed | pressure |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in camera_rows(args.seeds):
        print(row)
    print()
    print("| frame | ms per frame, median | p95 |")
    print("| --- | ---: | ---: |")
    for row in timing_rows(args.repeats):
        print(row)
    if not args.no_clip:
        clip = clip_rows(args.config)
        print()
        if not clip:
            print("the sample clip gave no pair of frames to follow")
        else:
            print(
                "| clip | readings | median speed m/s | p95 | max pressure /s² (5 s median) "
                "| called turbulent |"
            )
            print("| --- | ---: | ---: | ---: | ---: | ---: |")
            for row in clip:
                print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
