"""Recording benchmark: what recording one site costs, in CPU and in disk per hour.

    python -m bench.record_bench [--seconds 60]

Encodes `--seconds` of the sample clip (768x576, 10 fps) through the real recorder
(H.264 via PyAV's libx264, 60 s MP4 segments, indexed in SQLite) as fast as it goes, and
reports the CPU time spent per second of video, which is the CPU share one continuously
recorded site takes (100 % = one core), and the megabytes it writes per hour. Then, fed at
the clip's real rate, how long a cut (closing the open segment, so replay reaches now)
takes to be listed. Decoding the
clip is done first and not counted: a live site has decoded its frames for analysis anyway.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import sqlalchemy as sa

from monitor.config.recording import RecordingConfig, RecordingPolicy
from monitor.config.settings import Settings
from monitor.ingest.frames import BgrImage, CapturedFrame
from monitor.ingest.samples import ensure_sample
from monitor.recording.index import RecordingIndex
from monitor.recording.recorder import Recorder

FPS = 10.0


def load_frames(seconds: float) -> list[BgrImage]:
    clip = cv2.VideoCapture(str(ensure_sample("vtest", Settings().sample_cache)))
    frames: list[BgrImage] = []
    try:
        while len(frames) < seconds * FPS:
            ok, image = clip.read()
            if not ok:
                clip.set(cv2.CAP_PROP_POS_FRAMES, 0)  # loop, as the demo does
                continue
            frames.append(np.asarray(image, dtype=np.uint8))
    finally:
        clip.release()
    return frames


def record(frames: list[BgrImage]) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="record-bench-") as tmp:
        engine = sa.create_engine(f"sqlite:///{tmp}/index.db")
        index = RecordingIndex(engine)
        config = RecordingConfig(
            policy=RecordingPolicy.CONTINUOUS, segment_s=60, queue_frames=len(frames) + 1
        )
        recorder = Recorder("bench", config, Path(tmp) / "rec", index)
        start = time.time()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        recorder.start()
        for n, image in enumerate(frames):
            recorder.offer(CapturedFrame(image, n + 1, start + n / FPS))
        recorder.stop(timeout=600)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        size = sum(s.size for s in index.segments(None, None, None))
        engine.dispose()
    video_s = len(frames) / FPS
    return {
        "video_s": video_s,
        "cpu_percent": 100 * cpu / video_s,
        "speed": video_s / wall,
        "mb_per_hour": size / 1e6 * 3600 / video_s,
        "dropped": recorder.state.dropped_frames,
    }


def cut_latency(frames: list[BgrImage], cuts: int = 5) -> list[float]:
    """Milliseconds from asking for a cut to the segment being listed, with the recorder fed
    at the clip's real rate and a cut after each second of it: what a replay of "what just
    happened" waits for."""
    with tempfile.TemporaryDirectory(prefix="record-bench-cut-") as tmp:
        engine = sa.create_engine(f"sqlite:///{tmp}/index.db")
        config = RecordingConfig(policy=RecordingPolicy.CONTINUOUS, segment_s=600)
        recorder = Recorder("bench", config, Path(tmp) / "rec", RecordingIndex(engine))
        recorder.start()
        waits: list[float] = []
        start = time.time()
        for n in range(cuts * int(FPS)):
            recorder.offer(CapturedFrame(frames[n % len(frames)], n + 1, start + n / FPS))
            time.sleep(1 / FPS)
            if (n + 1) % int(FPS) == 0:
                asked = time.perf_counter()
                recorder.cut()
                waits.append(1000 * (time.perf_counter() - asked))
        recorder.stop()
        engine.dispose()
    return waits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60, help="seconds of video to encode")
    args = parser.parse_args(argv)
    frames = load_frames(args.seconds)
    result = record(frames)
    waits = sorted(cut_latency(frames))
    rows = [
        ("video encoded (768x576, 10 fps)", f"{result['video_s']:.0f} s"),
        ("CPU per recorded site (100 % = one core)", f"{result['cpu_percent']:.1f} %"),
        ("encoding speed", f"{result['speed']:.1f}x real time"),
        ("disk per site", f"{result['mb_per_hour']:.0f} MB/hour"),
        ("frames dropped", f"{result['dropped']}"),
        (
            f"cut to replayable, median (max) of {len(waits)}",
            f"{waits[len(waits) // 2]:.0f} ({waits[-1]:.0f}) ms",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'recording':<{width}}  value")
    print(f"{'-' * width}  -----")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
