"""History benchmark: what a site's stored readings cost on disk, and what deleting them
costs the readings writer.

    python -m bench.history_bench [--days 2] [--keep-h 24] [--pg URL]

Fills a store (a temporary SQLite file, and PostgreSQL with `--pg`) with the camera-health
bench's readings (one site at 2 frames/s, a 16x12 density grid each) and reports the bytes
per reading and per site-day. Then runs the history sweep as the service does, keeping the
last day (`--keep-h`): its rows per second, and how long each transaction of a batch holds the write
lock (the readings writer waits for it; its queue holds 10,000 readings, 5 s of 2,000
readings a second across a large deployment).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from bench.health_bench import DAY_S, FPS, T0, fill, pg_schema
from monitor.config.history import HistoryConfig
from monitor.store.history_sweeper import HistorySweeper
from monitor.store.sql import SqlStore


class TransactionTimer:
    """Times every transaction on `engine` from its BEGIN to its COMMIT: during a sweep, one
    batch each (nothing else writes)."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.seconds: list[float] = []
        self._began: dict[int, float] = {}
        sa.event.listen(engine, "begin", self._begin)
        sa.event.listen(engine, "commit", self._commit)

    def _begin(self, conn: sa.engine.Connection) -> None:
        self._began[id(conn)] = time.perf_counter()

    def _commit(self, conn: sa.engine.Connection) -> None:
        began = self._began.pop(id(conn), None)
        if began is not None:
            self.seconds.append(time.perf_counter() - began)


def database_bytes(store: SqlStore, url: str | URL) -> int:
    if isinstance(url, str) and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with store.engine.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_total_relation_size('readings')")).scalar_one()
    return int(size)


@contextlib.contextmanager
def sqlite_url(folder: Path) -> Iterator[str]:
    yield f"sqlite:///{folder / 'history.db'}"


def run(url: str | URL, days: float, keep_h: float) -> tuple[int, int, int, float, list[float]]:
    store = SqlStore(url)
    try:
        stored = fill(store, days)
        size = database_bytes(store, url)
        config = HistoryConfig(readings_max_age_h=keep_h, alert_readings_max_age_h=keep_h)
        now = T0 + days * DAY_S
        sweeper = HistorySweeper(store, config, ["bench"], lambda: [], clock=lambda: now)
        timer = TransactionTimer(store.engine)
        began = time.perf_counter()
        deleted = sweeper.sweep()
        took = time.perf_counter() - began
        # The last transaction found nothing left to delete.
        return stored, size, deleted, took, timer.seconds[:-1]
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=2.0)
    parser.add_argument("--keep-h", type=float, default=24.0, help="hours the sweep keeps")
    parser.add_argument("--pg", help="also on this PostgreSQL server (a schema of its own)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
        places: list[tuple[str, contextlib.AbstractContextManager[str | URL]]]
        places = [("SQLite", sqlite_url(Path(tmp)))]
        if args.pg:
            places.append(("PostgreSQL", pg_schema(args.pg)))
        for name, place in places:
            with place as url:
                rows.append((name, *run(url, args.days, args.keep_h)))
    print(
        f"stored readings, one site at {FPS:g} frames/s over {args.days:g} d; "
        f"the sweep keeps the last {args.keep_h:g} h"
    )
    print(
        "| store | readings | bytes/reading | MB/site-day | deleted | rows/s "
        "| batch ms median | batch ms max |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, stored, size, deleted, took, batches in rows:
        per_reading = size / stored
        per_day_mb = per_reading * stored / args.days / 1e6
        print(
            f"| {name} | {stored:,} | {per_reading:,.0f} | {per_day_mb:,.0f} | {deleted:,} "
            f"| {deleted / took:,.0f} | {1000 * statistics.median(batches):.0f} "
            f"| {1000 * max(batches):.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
