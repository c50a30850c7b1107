"""`python -m bench` (`make bench`): every benchmark, one table each."""

from __future__ import annotations

import sys

from bench import (
    density_bench,
    fault_bench,
    health_bench,
    history_bench,
    live_bench,
    motion_bench,
    notify_bench,
    quality_bench,
    record_bench,
    robustness_bench,
    trend_bench,
    turbulence_bench,
    view_bench,
)


def main() -> int:
    status = 0
    for bench in (
        live_bench,
        density_bench,
        robustness_bench,
        quality_bench,
        view_bench,
        record_bench,
        health_bench,
        history_bench,
        trend_bench,
        motion_bench,
        turbulence_bench,
        notify_bench,
        fault_bench,
    ):
        print(f"\n== {bench.__name__} ==", flush=True)
        status |= bench.main([])
    return status


if __name__ == "__main__":
    sys.exit(main())
