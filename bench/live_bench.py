"""Live-loop benchmark: analysis throughput, capture-to-websocket delay, resident memory.

    python -m bench.live_bench [--seconds 60] [--memory-minutes 30] [--config configs/demo.yaml]
        [--server-env MALLOC_ARENA_MAX=2]

Throughput runs the pipeline stages in this process on one thread over the sample clip.
Delay and memory come from the real service: `crowd-monitor serve` in a subprocess with
the demo config, a websocket client timing each reading from its frame's capture.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
import httpx
import numpy as np
from websockets.sync.client import connect

from monitor.alerts.engine import AlertEngine
from monitor.config.loader import load_config
from monitor.config.settings import Settings
from monitor.density.registry import build_estimator
from monitor.ingest.frames import BgrImage
from monitor.ingest.samples import ensure_sample
from monitor.measure.geometry import build_geometry
from monitor.measure.ground import ground_model
from monitor.measure.measure import measure
from monitor.motion.tracker import MotionTracker
from monitor.pipeline.evaluate import metric_value
from monitor.pipeline.view_keeper import ViewKeeper
from monitor.quality.assess import assess_frame
from monitor.quality.verdict import QualityTracker

REPO = Path(__file__).resolve().parents[1]


def analysis_throughput(config_path: Path, frames: int) -> tuple[str, float]:
    """Frames per second through estimate → picture quality and view check → measure →
    motion → alerts on one core. Every 5th frame of the 10 fps clip, as the demo's 2
    analysed frames a second."""
    cv2.setNumThreads(1)
    config = load_config(config_path)
    site = config.sites[0]
    estimator = build_estimator(config.estimator.model_copy(update={"threads": 1}))
    ground = ground_model(site.ground, site.roi)
    engine = AlertEngine(site.id, site.thresholds)
    quality = QualityTracker(site.image_quality)
    clip = cv2.VideoCapture(str(ensure_sample("vtest", Settings().sample_cache)))
    images: list[BgrImage] = []
    read = 0
    while len(images) < frames:
        ok, image = clip.read()
        if not ok:
            break
        read += 1
        if read % 5 == 0:
            images.append(np.asarray(image, dtype=np.uint8))
    clip.release()
    geometry = None
    motion = MotionTracker()
    view = ViewKeeper(site.id, None)
    view.use_source(site.source)
    started = time.perf_counter()
    for index, image in enumerate(images):
        at = index / site.analysis_fps
        density = estimator.estimate(image)
        quality.update(assess_frame(image))
        view.check(at, image, site.image_quality, density.values)
        if geometry is None:
            geometry = build_geometry(
                site.roi, ground, density.frame_size, density.values.shape, site.peak_window_m
            )
        result = measure(density, geometry, site.count_scale)
        motion.follow(site.motion, image, at, result.people, geometry, ground, crowd=density.values)
        engine.update(at, metric_value(result, site.thresholds.metric))
    elapsed = time.perf_counter() - started
    return estimator.name, len(images) / elapsed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def status_mb(pid: int, field: str) -> float:
    """One memory line of /proc/PID/status ("VmRSS", "RssFile"), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def rss_mb(pid: int) -> float:
    return status_mb(pid, "VmRSS")


def wait_for_server(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not listen on {port} within {timeout:g}s")


def session_cookie(port: int, password: str) -> str:
    """Logs in as the demo admin; the websocket takes the same session cookie as the page."""
    response = httpx.post(
        f"http://127.0.0.1:{port}/api/auth/login",
        json={"name": "admin", "password": password},
        timeout=10,
    )
    response.raise_for_status()
    return "; ".join(f"{name}={value}" for name, value in response.cookies.items())


RSS_SAMPLE_S = 1.0
SOAK_SAMPLE_S = 10.0


def sample_rss(server: subprocess.Popen[bytes], seconds: float, every: float) -> list[float]:
    """The server's resident memory every `every` seconds for `seconds`."""
    samples: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        time.sleep(min(every, max(0.0, deadline - time.monotonic())))
        samples.append(rss_mb(server.pid))
    return samples


def minute_medians(samples: list[float], every: float) -> list[float]:
    """The median of each whole minute of samples taken `every` seconds apart: whether memory
    levels off or keeps climbing shows in this series, not in two end points."""
    per_minute = max(1, round(60 / every))
    return [
        statistics.median(samples[start : start + per_minute])
        for start in range(0, len(samples) - per_minute + 1, per_minute)
    ]


def live_service(
    config_path: Path,
    seconds: float,
    memory_minutes: float,
    server_env: dict[str, str] | None = None,
) -> tuple[dict[str, float], list[float]]:
    """The service's figures, and its resident memory per minute of the soak (MB)."""
    port = free_port()
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as data_dir:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor",
                "serve",
                "--config",
                str(config_path),
                "--port",
                str(port),
                "--data-dir",
                data_dir,
                "--log-level",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(server_env or {}), "CROWD_MONITOR_ADMIN_PASSWORD": password},
        )
        try:
            wait_for_server(port, timeout=60)
            cookie = session_cookie(port, password)
            delays: list[float] = []
            readings = 0
            stop = threading.Event()

            def listen() -> None:
                nonlocal readings
                with connect(
                    f"ws://127.0.0.1:{port}/ws", additional_headers={"Cookie": cookie}
                ) as websocket:
                    while not stop.is_set():
                        try:
                            message = json.loads(websocket.recv(timeout=1.0))
                        except TimeoutError:
                            continue
                        if message["type"] == "reading":
                            readings += 1
                            delays.append(time.time() - message["payload"]["captured_at"])

            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            time.sleep(5)  # warm-up: sources open, first frames analysed
            delays.clear()
            readings = 0
            # Resident memory swings by a few hundred MB within seconds (frames, encoder
            # buffers, and glibc handing mmapped blocks back), so one sample says little.
            rss_first = sample_rss(server, seconds, RSS_SAMPLE_S)
            measured = readings
            stop.set()
            listener.join(5)
            # Mapped files (the model, libraries) do not swing like the heap, so one sample
            # at each end says whether they grow; the heap's share is the rest of the series.
            file_start = status_mb(server.pid, "RssFile")
            rss_later = sample_rss(server, memory_minutes * 60, SOAK_SAMPLE_S)
            last_minute = rss_later[-round(60 / SOAK_SAMPLE_S) :]
            delays.sort()
            figures = {
                "readings_per_s": measured / seconds,
                "delay_median_ms": 1000 * statistics.median(delays),
                "delay_p99_ms": 1000 * delays[min(len(delays) - 1, int(0.99 * len(delays)))],
                "rss_start_mb": statistics.median(rss_first),
                "rss_start_max_mb": max(rss_first),
                "rss_end_mb": statistics.median(last_minute) if last_minute else math.nan,
                "rss_max_mb": max(rss_first + rss_later),
                "minutes": memory_minutes,
                "file_start_mb": file_start,
                "file_end_mb": status_mb(server.pid, "RssFile"),
            }
            return figures, minute_medians(rss_later, SOAK_SAMPLE_S)
        finally:
            server.terminate()
            server.wait(30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "demo.yaml")
    parser.add_argument("--frames", type=int, default=200, help="frames for the throughput run")
    parser.add_argument("--seconds", type=float, default=60, help="delay measurement window")
    parser.add_argument(
        "--memory-minutes", type=float, default=0, help="keep serving and sample RSS"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the service (e.g. MALLOC_ARENA_MAX=2); repeatable",
    )
    args = parser.parse_args(argv)
    server_env = {}
    for item in args.server_env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--server-env wants KEY=VALUE, got {item!r}")
        server_env[key] = value

    name, fps = analysis_throughput(args.config, args.frames)
    live, rss_per_minute = live_service(args.config, args.seconds, args.memory_minutes, server_env)
    rows = [
        ("estimator", name),
        ("analysed frames/s on one core (768x576)", f"{fps:.1f}"),
        ("readings/s over the websocket, 5 sites", f"{live['readings_per_s']:.2f}"),
        ("capture → websocket delay, median", f"{live['delay_median_ms']:.0f} ms"),
        ("capture → websocket delay, p99", f"{live['delay_p99_ms']:.0f} ms"),
        (
            "resident memory in the delay window, median (max)",
            f"{live['rss_start_mb']:.0f} MB ({live['rss_start_max_mb']:.0f})",
        ),
    ]
    if live["minutes"] > 0:
        rows.append(
            (
                f"resident memory, last minute of {live['minutes']:g} more, median (max of all)",
                f"{live['rss_end_mb']:.0f} MB ({live['rss_max_mb']:.0f})",
            )
        )
        series = " ".join(f"{v:.0f}" for v in rss_per_minute)
        rows.append(("resident memory per minute of those, median (MB)", series))
        rows.append(
            (
                "file-backed memory (model, libraries), start → end of those",
                f"{live['file_start_mb']:.0f} MB → {live['file_end_mb']:.0f} MB",
            )
        )
    if server_env:
        rows.append(("service environment", " ".join(args.server_env)))
    width = max(len(label) for label, _ in rows)
    print(f"{'live loop':<{width}}  value")
    print(f"{'-' * width}  -----")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
