"""Which stored readings to delete: pure, so the sweeper only runs the plan.

Per site, readings older than the plain cutoff go, except those in a kept range: the
ranges around alerts younger than the alert cutoff, and pinned ranges at any age.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TimeRange:
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class DeleteRange:
    """Readings captured in [start, end) are to go; `start` None: from the first one."""

    start: float | None
    end: float


def ranges_to_delete(before: float, keep: Iterable[TimeRange]) -> list[DeleteRange]:
    """Everything captured before `before` but inside no range of `keep`, as disjoint
    ranges in time order. A kept range's ends are kept too."""
    ranges: list[DeleteRange] = []
    start: float | None = None
    for kept in sorted(keep, key=lambda r: r.start):
        if kept.end < kept.start:
            raise ValueError(f"a kept range ends ({kept.end:g}) before it starts ({kept.start:g})")
        if kept.start >= before:
            break
        if kept.start > (-math.inf if start is None else start):
            ranges.append(DeleteRange(start, kept.start))
        # Just past the kept end: [start, end) deletes would otherwise take its last reading.
        following = _after(kept.end)
        start = following if start is None else max(start, following)
    if start is None or start < before:
        ranges.append(DeleteRange(start, before))
    return ranges


def alert_keep_range(
    raised_at: float, ended_at: float | None, now: float, margin_s: float
) -> TimeRange:
    """The readings an alert keeps: from `margin_s` before it was raised to `margin_s` after
    its crowd cleared (an alert still open keeps everything since)."""
    end = now if ended_at is None else ended_at
    return TimeRange(raised_at - margin_s, end + margin_s)


def _after(t: float) -> float:
    return math.nextafter(t, math.inf)
