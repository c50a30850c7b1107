"""Retry delays for reconnecting a source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential: `initial_s`, doubling, capped at `max_s`; never gives up.

    A camera that is down for a day must come back by itself, so there is no attempt
    limit; the cap keeps a recovered camera from waiting long to be noticed.
    """

    initial_s: float = 1.0
    max_s: float = 30.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        if not 0 < self.initial_s <= self.max_s:
            raise ValueError(f"need 0 < initial_s <= max_s, got {self.initial_s}, {self.max_s}")
        if self.factor < 1:
            raise ValueError(f"factor must be >= 1, got {self.factor}")

    def delays(self) -> Iterator[float]:
        delay = self.initial_s
        while True:
            yield delay
            delay = min(delay * self.factor, self.max_s)
