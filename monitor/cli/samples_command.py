"""`samples`: fetch and verify the sample clips that `sample:NAME` sources play."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from monitor.config.settings import Settings
from monitor.ingest.samples import SAMPLES, SampleError, ensure_sample


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "samples", help="fetch and verify the sample clips, print their paths"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where clips are kept (default: $CROWD_MONITOR_SAMPLE_CACHE or "
        "~/.cache/crowd-monitor)",
    )
    parser.set_defaults(handler=samples)


def samples(args: argparse.Namespace) -> int:
    cache_dir: Path = args.cache_dir or Settings().sample_cache
    status = 0
    for name in SAMPLES:
        try:
            path = ensure_sample(name, cache_dir, registry=SAMPLES, progress=_progress)
        except SampleError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
            continue
        print(f"{name}: {path}")
    return status


def _progress(message: str) -> None:
    # stderr, so stdout stays a clean "name: path" list for scripts.
    print(message, file=sys.stderr, flush=True)
