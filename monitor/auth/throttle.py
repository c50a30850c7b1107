"""Login rate limiting: a pure state machine over failures, with time passed in.

After `max_failures` failures in a row for one key (a user name, or a client address),
that key is locked for `lock_s`, doubling with every further failure up to `max_lock_s`.
A success clears the key. State is per process: a restart forgets it, which costs an
attacker a restart they cannot cause.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class _Entry:
    failures: int = 0
    locked_until: float = 0.0
    last_at: float = 0.0


class LoginThrottle:
    def __init__(
        self,
        max_failures: int = 5,
        lock_s: float = 30.0,
        max_lock_s: float = 900.0,
        forget_after_s: float = 3600.0,
        max_keys: int = 100_000,
    ) -> None:
        self.max_failures = max_failures
        self.lock_s = lock_s
        self.max_lock_s = max_lock_s
        self.forget_after_s = forget_after_s
        self.max_keys = max_keys
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def retry_after(self, keys: list[str], now: float) -> float:
        """Seconds until any of `keys` may try again; 0 when none is locked."""
        with self._lock:
            waits = [e.locked_until - now for k in keys if (e := self._entries.get(k))]
        return max([0.0, *waits])

    def failed(self, keys: list[str], now: float) -> None:
        with self._lock:
            if len(self._entries) >= self.max_keys:
                self._forget_old(now)
            for key in keys:
                entry = self._entries.setdefault(key, _Entry())
                if now - entry.last_at > self.forget_after_s:
                    entry.failures = 0
                entry.failures += 1
                entry.last_at = now
                over = entry.failures - self.max_failures
                if over >= 0:
                    lock = min(self.lock_s * 2.0 ** min(over, 32), self.max_lock_s)
                    entry.locked_until = now + lock

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def _forget_old(self, now: float) -> None:
        stale = [k for k, e in self._entries.items() if now - e.last_at > self.forget_after_s]
        for key in stale:
            del self._entries[key]
        if len(self._entries) >= self.max_keys:  # under attack from very many keys
            self._entries.clear()
