"""Once per key per so long: what keeps a crowd hovering at a limit from paging every frame."""

from __future__ import annotations

from collections.abc import Hashable


class Cooldown:
    def __init__(self, cooldown_s: float) -> None:
        if cooldown_s < 0:
            raise ValueError(f"need cooldown_s >= 0, got {cooldown_s}")
        self._cooldown_s = cooldown_s
        self._last: dict[Hashable, float] = {}

    def allow(self, key: Hashable, at: float) -> bool:
        """Whether `key` may be told of at `at` (and, if so, that it was then)."""
        last = self._last.get(key)
        if last is not None and at - last < self._cooldown_s:
            return False
        self._last[key] = at
        return True
