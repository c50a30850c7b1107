from __future__ import annotations

import pytest

from monitor.notify.verdict import (
    MAX_RETRY_AFTER_S,
    AttemptResult,
    RetryPolicy,
    Verdict,
    describe,
    judge,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(None, Verdict.RETRY, id="no-answer"),
        pytest.param(200, Verdict.DELIVERED, id="200"),
        pytest.param(204, Verdict.DELIVERED, id="204"),
        pytest.param(301, Verdict.REJECTED, id="moved"),
        pytest.param(400, Verdict.REJECTED, id="bad-request"),
        pytest.param(401, Verdict.REJECTED, id="bad-signature"),
        pytest.param(404, Verdict.REJECTED, id="wrong-url"),
        pytest.param(408, Verdict.RETRY, id="request-timeout"),
        pytest.param(429, Verdict.RETRY, id="too-many"),
        pytest.param(500, Verdict.RETRY, id="server-error"),
        pytest.param(503, Verdict.RETRY, id="unavailable"),
    ],
)
def test_judge(status: int | None, expected: Verdict) -> None:
    assert judge(AttemptResult(status)) is expected


@pytest.mark.parametrize(
    ("result", "text"),
    [
        pytest.param(
            AttemptResult(None, "ConnectError: refused"), "ConnectError: refused", id="none"
        ),
        pytest.param(AttemptResult(None), "no answer", id="none-silent"),
        pytest.param(AttemptResult(503), "HTTP 503", id="status"),
        pytest.param(AttemptResult(400, "bad body"), "HTTP 400: bad body", id="status-and-body"),
    ],
)
def test_describe(result: AttemptResult, text: str) -> None:
    assert describe(result) == text


@pytest.mark.parametrize(
    ("failures", "retry_after", "expected"),
    [
        pytest.param(1, None, 2.0, id="first"),
        pytest.param(2, None, 4.0, id="doubles"),
        pytest.param(20, None, 300.0, id="capped"),
        pytest.param(1, 30.0, 30.0, id="retry-after-longer"),
        pytest.param(5, 1.0, 32.0, id="retry-after-shorter-than-backoff"),
        pytest.param(1, 86_400.0, MAX_RETRY_AFTER_S, id="retry-after-capped"),
    ],
)
def test_delay(failures: int, retry_after: float | None, expected: float) -> None:
    assert RetryPolicy().delay(failures, retry_after) == expected


def test_policy_bounds() -> None:
    with pytest.raises(ValueError, match="initial_s"):
        RetryPolicy(initial_s=10, max_s=5)
    with pytest.raises(ValueError, match="failures"):
        RetryPolicy().delay(0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(None, None, id="absent"),
        pytest.param("120", 120.0, id="seconds"),
        pytest.param(" 5 ", 5.0, id="spaces"),
        pytest.param("Wed, 21 Oct 2015 07:28:00 GMT", None, id="http-date"),
        pytest.param("-3", None, id="negative"),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected
