"""A site's recorded status over a span: when its camera was offline and why, and when the
monitor itself was not running.

The monitor records every change of a site's status (and `stopped` for every site when it
shuts down cleanly). A change holds until the next one, so the span's status at any moment
is the latest change at or before it; before the first change on record it is unknown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

# The site statuses the live loop publishes, plus the one the monitor records for every
# site when it stops.
RecordedStatus = Literal["starting", "online", "offline", "stopped"]


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: float  # epoch seconds
    status: RecordedStatus
    reason: str  # why it is offline; empty otherwise


@dataclass(frozen=True, slots=True)
class StatusSpan:
    start: float
    end: float
    status: RecordedStatus
    reason: str


@dataclass(frozen=True, slots=True)
class Outage:
    """An unbroken stretch of the camera reported offline within a span."""

    start: float
    end: float
    reasons: tuple[str, ...]  # each distinct reason given, first seen first
    # It was still offline where the span ends (or when the monitor stopped without it
    # coming back).
    open_ended: bool

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class OutageSummary:
    count: int
    offline_s: float
    longest: Outage | None
    latest: tuple[Outage, ...]  # oldest first


def status_spans(changes: Iterable[StatusChange], since: float, until: float) -> list[StatusSpan]:
    """The spans of [since, until] that each change held, in order.

    `changes` are oldest first and may start before `since`: the latest of those sets the
    status at `since`. Time before the first change is left out (unknown).
    """
    if not until > since:
        raise ValueError(f"until ({until:g}) must be after since ({since:g})")
    spans: list[StatusSpan] = []
    current: StatusChange | None = None
    for change in changes:
        if current is not None and change.at < current.at:
            raise ValueError(f"status changes out of order: {change.at:g} after {current.at:g}")
        if current is not None:
            _append(spans, current, change.at, since, until)
        current = change
    if current is not None:
        _append(spans, current, until, since, until)
    return spans


def _append(
    spans: list[StatusSpan], change: StatusChange, end: float, since: float, until: float
) -> None:
    start = max(change.at, since)
    end = min(end, until)
    if end > start:
        spans.append(StatusSpan(start, end, change.status, change.reason))


def summarise_outages(spans: Sequence[StatusSpan], *, keep_latest: int = 10) -> OutageSummary:
    """Joins touching offline spans (a reason that changed mid-outage is one outage)."""
    if keep_latest < 0:
        raise ValueError(f"keep_latest must not be negative, got {keep_latest}")
    outages: list[Outage] = []
    for index, span in enumerate(spans):
        if span.status != "offline":
            continue
        following = spans[index + 1] if index + 1 < len(spans) else None
        # Ended by the span's end, or by a stop that never saw the camera come back.
        open_ended = following is None or following.status == "stopped"
        previous = outages[-1] if outages else None
        if previous is not None and previous.end == span.start:
            reasons = previous.reasons
            if span.reason and span.reason not in reasons:
                reasons = (*reasons, span.reason)
            outages[-1] = Outage(previous.start, span.end, reasons, open_ended)
        else:
            reasons = (span.reason,) if span.reason else ()
            outages.append(Outage(span.start, span.end, reasons, open_ended))
    longest = max(outages, key=lambda o: o.duration_s, default=None)
    latest: deque[Outage] = deque(outages, maxlen=keep_latest)
    return OutageSummary(
        count=len(outages),
        offline_s=sum(o.duration_s for o in outages),
        longest=longest,
        latest=tuple(latest),
    )
