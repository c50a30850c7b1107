"""The span of a report over stored history, checked the same way by every route that asks
for one."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import HTTPException, Query

from monitor.api.health_schemas import DEFAULT_HEALTH_SPAN_S, MAX_HEALTH_SPAN_S

SinceQuery = Annotated[
    float | None,
    Query(allow_inf_nan=False, description="Epoch seconds; default: a day before until."),
]
UntilQuery = Annotated[
    float | None, Query(allow_inf_nan=False, description="Epoch seconds; default: now.")
]


def checked_span(since: float | None, until: float | None) -> tuple[float, float]:
    """[since, until] with the defaults filled in (until now, since a day before); a 422
    that says why for an empty, reversed or over-long span."""
    end = time.time() if until is None else until
    start = end - DEFAULT_HEALTH_SPAN_S if since is None else since
    if start >= end:
        raise HTTPException(422, f"since ({start:g}) must be before until ({end:g})")
    if end - start > MAX_HEALTH_SPAN_S:
        raise HTTPException(
            422, f"the span is at most {MAX_HEALTH_SPAN_S // 86_400} days; ask for less"
        )
    return start, end
