"""Audit entries as CSV: a pure function of the entries."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.audit.log import AuditEntry

COLUMNS = ("id", "at", "at_iso", "actor", "action", "target", "ip", "detail")
# Spreadsheet programs run a cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def audit_csv(entries: Iterable[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for e in entries:
        iso = datetime.fromtimestamp(e.at, UTC).isoformat(timespec="milliseconds")
        detail = json.dumps(e.detail, separators=(",", ":"), sort_keys=True)
        writer.writerow(
            [
                e.id,
                repr(e.at),
                iso,
                *(_cell(v) for v in (e.actor, e.action, e.target, e.ip)),
                _cell(detail),
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value
