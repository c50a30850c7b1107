"""Camera-health benchmark: what the report costs for a day and a week of one site's readings.

    python -m bench.health_bench [--days 1 7] [--pg URL]

Fills a store (a temporary SQLite file, and PostgreSQL with `--pg`) with readings as a site
analysed at 2 frames/s writes them: a 16x12 density grid each, the picture good but for a
poor stretch of ten minutes every two hours and an hour offline each day (01:00-02:00),
recorded in the status log as the live loop records it. Then times the report's work for
that one site (`GET /api/camera-health` does it once per site): reading its status changes
and its marks page by page and folding them into 48 bins, and the fold alone on marks in
memory. The resident memory the report adds is measured too: it must not grow
with the span, since marks are folded as they are fetched.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.quality.assess import FrameQuality
from monitor.quality.health import HealthTally, PictureMark, reading_hold_s
from monitor.quality.outages import RecordedStatus, status_spans, summarise_outages
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.store.base import StoredReading
from monitor.store.sql import SqlStore

FPS = 2.0
T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC
DAY_S = 86_400.0
GOOD = QualityVerdict((), FrameQuality(noise=1.2, detail=0.93, blocking=1.21, spread=41.5))
POOR = QualityVerdict(
    (QualityIssue.DETAIL_LOSS,), FrameQuality(noise=0.4, detail=0.52, blocking=1.6, spread=39.0)
)


OFFLINE_S = (3600.0, 7200.0)  # within each day


def picture_at(t: float) -> QualityVerdict | None:
    """None: offline (nothing stored)."""
    in_day = (t - T0) % DAY_S
    if OFFLINE_S[0] <= in_day < OFFLINE_S[1]:
        return None
    return POOR if (t - T0) % 7200 < 600 else GOOD


def expected_offline_s(days: float, hold_s: float) -> float:
    """The offline hours the span holds, less what the reading before each vouches for."""
    span = days * DAY_S
    whole, rest = divmod(span, DAY_S)
    if OFFLINE_S[0] < rest < OFFLINE_S[1]:
        raise ValueError(f"{days:g} days end while the site is offline; choose another span")
    hours = whole + (rest >= OFFLINE_S[1])
    # The last reading, one interval before the hour, vouches for `hold_s` from itself.
    return hours * (OFFLINE_S[1] - OFFLINE_S[0] - (hold_s - 1 / FPS))


def readings(days: float) -> Iterator[StoredReading]:
    rng = np.random.default_rng(0)
    grid = np.round(rng.uniform(0, 3, size=(12, 16)), 3).tolist()
    base = StoredReading(
        site_id="bench",
        seq=0,
        captured_at=T0,
        analysed_at=T0,
        count=42.0,
        mean_density=0.8,
        peak_density=2.1,
        level="normal",
        grid=grid,
        frame_width=768,
        frame_height=576,
    )
    for seq in range(int(days * DAY_S * FPS)):
        t = T0 + seq / FPS
        quality = picture_at(t)
        if quality is not None:
            yield dataclasses.replace(
                base, seq=seq, captured_at=t, analysed_at=t + 0.12, quality=quality
            )


def status_changes(days: float) -> Iterator[tuple[float, RecordedStatus, str]]:
    """The site's status log: online from the start, offline for the hour each day."""
    yield T0 - 1.0, "starting", ""
    yield T0, "online", "receiving rtsp://bench"
    day = 0
    while day * DAY_S < days * DAY_S:
        yield T0 + day * DAY_S + OFFLINE_S[0], "offline", "no frames for 10 s"
        yield T0 + day * DAY_S + OFFLINE_S[1], "online", "receiving rtsp://bench"
        day += 1


def fill(store: SqlStore, days: float) -> int:
    for at, status, reason in status_changes(days):
        store.record_status(["bench"], at, status, reason)
    batch: list[StoredReading] = []
    stored = 0
    for reading in readings(days):
        batch.append(reading)
        if len(batch) == 5000:
            store.add_readings(batch)
            stored += len(batch)
            batch = []
    store.add_readings(batch)
    return stored + len(batch)


@contextlib.contextmanager
def sqlite_url(folder: Path, days: float) -> Iterator[str]:
    path = folder / f"store-{days:g}d.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def pg_schema(url: str) -> Iterator[URL]:
    """The server's URL seeing only a fresh schema, so no table of the database is touched."""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    schema = f"health_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            yield admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(store: SqlStore, days: float) -> tuple[float, float, float, int]:
    """Seconds for the store read and fold, the peak RSS it added (MB), seconds for the fold
    alone, and the marks folded."""
    rss_before = max_rss_mb()
    hold = reading_hold_s(FPS)
    until = T0 + days * DAY_S
    start = time.perf_counter()
    status = status_spans(store.status_changes("bench", T0, until), T0, until)
    tally = HealthTally(T0, until, hold_s=hold, bins=48, status=status)
    summarise_outages(status)
    marks = 0
    for mark in store.picture_marks("bench", T0 - hold, until):
        tally.add(mark)
        marks += 1
    health = tally.finish()
    with_store = time.perf_counter() - start
    rss_added = max_rss_mb() - rss_before
    # Every second without a picture was the camera offline, as the status log says.
    expected = expected_offline_s(days, hold)
    if abs(health.times.offline_s - expected) > 1.0 or health.times.dark_s > 1.0:
        raise RuntimeError(
            f"offline {health.times.offline_s:.0f} s and dark {health.times.dark_s:.0f} s, "
            f"expected {expected:.0f} s and none"
        )
    in_memory = [PictureMark(r.captured_at, r.quality.issues) for r in readings(days) if r.quality]
    start = time.perf_counter()
    HealthTally(T0, until, hold_s=hold, bins=48).add_all(in_memory).finish()
    fold = time.perf_counter() - start
    return with_store, rss_added, fold, marks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, nargs="+", default=[1.0, 7.0])
    parser.add_argument(
        "--pg", help="also on this PostgreSQL server (a schema of its own, dropped after)"
    )
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="health-bench-") as tmp:
        for days in args.days:
            places: list[tuple[str, contextlib.AbstractContextManager[str | URL]]]
            places = [("SQLite", sqlite_url(Path(tmp), days))]
            if args.pg:
                places.append(("PostgreSQL", pg_schema(args.pg)))
            for name, place in places:
                with place as url:
                    store = SqlStore(url)
                    try:
                        fill(store, days)
                        with_store, rss_added, fold, marks = report(store, days)
                    finally:
                        store.close()
                rows.append((name, days, marks, with_store, fold, rss_added))

    print(f"camera-health report, one site at {FPS:g} frames/s, 48 bins")
    print("| store | span | readings | report s | of which fold s | us/reading | peak RSS + MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, days, marks, with_store, fold, rss_added in rows:
        print(
            f"| {name} | {days:g} d | {marks:,} | {with_store:.2f} | {fold:.2f} "
            f"| {with_store / marks * 1e6:.1f} | {rss_added:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
