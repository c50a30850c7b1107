"""Camera-fault benchmark: what judging every site's fault costs the notification service.

    python -m bench.fault_bench [--config configs/demo.yaml] [--calls 300]

With a webhook that wants `camera_fault`, the service's intake thread judges every site's
fault once a second (monitor/faults/camera.py over the runtime's site states). This runs the
real application on the demo config and its sample video, waits until every site has been
analysed, then times that judgement (`Application.site_faults`) back to back.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from monitor.application import build_application
from monitor.config.loader import load_config
from monitor.config.settings import Settings

WAIT_S = 120.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=Path("configs/demo.yaml"))
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args(argv)
    config = load_config(args.config)
    with tempfile.TemporaryDirectory() as data:
        application = build_application(config, Settings(data_dir=Path(data)))
        application.start()
        try:
            runtime = application.runtime
            assert runtime is not None
            deadline = time.monotonic() + WAIT_S
            while any(site.latest is None for site in runtime.sites()):
                if time.monotonic() > deadline:
                    print(f"not every site was analysed within {WAIT_S:g} s", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            times_ms = []
            for _ in range(args.calls):
                started = time.perf_counter()
                application.site_faults(time.time())
                times_ms.append((time.perf_counter() - started) * 1000)
        finally:
            application.stop()
    times_ms.sort()
    median = statistics.median(times_ms)
    p95 = times_ms[int(0.95 * (len(times_ms) - 1))]
    print("| sites | judgements | median ms | p95 ms | share of a core at 1/s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {len(config.sites)} | {len(times_ms)} | {median:.3f} | {p95:.3f} | "
        f"{median / 10:.3f} % |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
