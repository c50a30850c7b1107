"""What one delivery attempt's answer means, and when to try again: pure, no I/O.

Retried: no answer (refused, timed out), 408, 429 and 5xx, where the same request may well
succeed later. Not retried: other 4xx and redirects, where the receiver has said it will not
take this request as sent (a wrong URL, a rejected signature); retrying would only hide the
misconfiguration, so the delivery fails at once and the log says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class AttemptResult:
    status_code: int | None  # None: no HTTP answer at all
    error: str = ""  # why there was no answer, or the start of the answer's body
    retry_after_s: float | None = None  # the receiver's Retry-After, if any
    # A chat service that answered 2xx with an error code in the body (formats.api_answer):
    # refused, and whether the refusal is one to retry (a rate limit).
    api_refused: bool = False
    api_retry: bool = False


_RETRIED_STATUS = frozenset({408, 425, 429})

# Retry-After may say anything; a receiver asking for a day is not waited on that long.
MAX_RETRY_AFTER_S = 3600.0


def judge(result: AttemptResult) -> Verdict:
    code = result.status_code
    if code is None:
        return Verdict.RETRY
    if 200 <= code < 300:
        if result.api_refused:
            return Verdict.RETRY if result.api_retry else Verdict.REJECTED
        return Verdict.DELIVERED
    if code in _RETRIED_STATUS or code >= 500:
        return Verdict.RETRY
    return Verdict.REJECTED


def describe(result: AttemptResult) -> str:
    """One line for the delivery log."""
    if result.status_code is None:
        return result.error or "no answer"
    text = f"HTTP {result.status_code}"
    return f"{text}: {result.error}" if result.error else text


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff per endpoint: `initial_s`, doubling, capped at `max_s`."""

    initial_s: float = 2.0
    max_s: float = 300.0

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError(f"need 0 < initial_s <= max_s, got {self.initial_s}, {self.max_s}")

    def delay(self, failures: int, retry_after_s: float | None = None) -> float:
        """Seconds to wait after `failures` failed attempts in a row (>= 1)."""
        if failures < 1:
            raise ValueError(f"failures must be >= 1, got {failures}")
        backoff: float = min(self.max_s, self.initial_s * 2.0 ** min(failures - 1, 30))
        if retry_after_s is not None and retry_after_s > 0:
            return max(backoff, min(retry_after_s, MAX_RETRY_AFTER_S))
        return backoff


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header in its delta-seconds form; None otherwise."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # the HTTP-date form: rare from webhook receivers; backoff applies
    return seconds if seconds >= 0 else None
