from __future__ import annotations

import pytest

from monitor.auth.throttle import LoginThrottle

KEYS = ["user:li", "client:10.0.0.1"]


def fail(throttle: LoginThrottle, times: int, at: float = 0.0) -> None:
    for _ in range(times):
        throttle.failed(KEYS, at)


@pytest.mark.parametrize(
    ("failures", "at", "expected"),
    [
        pytest.param(4, 0.0, 0.0, id="below-the-limit-free"),
        pytest.param(5, 0.0, 30.0, id="locked-at-the-limit"),
        pytest.param(5, 10.0, 20.0, id="lock-counts-down"),
        pytest.param(5, 30.0, 0.0, id="lock-ends"),
        pytest.param(6, 0.0, 60.0, id="doubles-with-each-failure"),
        pytest.param(40, 0.0, 900.0, id="capped"),
    ],
)
def test_lock_after_failures(failures: int, at: float, expected: float) -> None:
    throttle = LoginThrottle(max_failures=5, lock_s=30, max_lock_s=900)
    fail(throttle, failures)
    assert throttle.retry_after(KEYS, at) == expected


def test_success_clears_and_other_keys_are_free() -> None:
    throttle = LoginThrottle(max_failures=2, lock_s=30)
    fail(throttle, 2)
    assert throttle.retry_after(["user:wang"], 1.0) == 0.0
    assert throttle.retry_after(["client:10.0.0.1"], 1.0) == 29.0
    throttle.succeeded(KEYS)
    assert throttle.retry_after(KEYS, 1.0) == 0.0


def test_old_failures_are_forgotten() -> None:
    throttle = LoginThrottle(max_failures=2, lock_s=30, forget_after_s=3600)
    throttle.failed(KEYS, 0.0)
    throttle.failed(KEYS, 4000.0)  # the first one is too old to count
    assert throttle.retry_after(KEYS, 4000.0) == 0.0


def test_memory_is_bounded() -> None:
    throttle = LoginThrottle(max_failures=5, max_keys=10, forget_after_s=100)
    for n in range(50):
        throttle.failed([f"client:{n}"], float(n * 1000))
    assert len(throttle._entries) <= 10
