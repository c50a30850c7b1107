"""Camera outages as CSV: what maintenance and camera vendors' SLA reports are built from."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.quality.outages import Outage

OUTAGE_COLUMNS = (
    "site_id",
    "site_name",
    "start_utc",
    "end_utc",
    "start",
    "end",
    "duration_s",
    "still_offline",
    "reasons",
)


def utc_iso(epoch: float) -> str:
    """ISO 8601 in UTC to the second: what a spreadsheet reads as a time."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def outages_csv(rows: Iterable[tuple[str, str, Outage]]) -> bytes:
    """One row per (site id, site name, outage): ISO 8601 UTC times for a spreadsheet and
    epoch seconds for a program; `still_offline` when it had not ended with the span (or the
    monitor stopped first); the distinct reasons joined by "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OUTAGE_COLUMNS)
    for site_id, site_name, outage in rows:
        writer.writerow(
            [
                site_id,
                site_name,
                utc_iso(outage.start),
                utc_iso(outage.end),
                repr(outage.start),
                repr(outage.end),
                round(outage.duration_s, 3),
                "yes" if outage.open_ended else "no",
                "; ".join(outage.reasons),
            ]
        )
    return out.getvalue().encode()
