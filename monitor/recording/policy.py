"""Which frames a site records, as a pure function of frame times and alert changes.

`continuous` records everything. `alerts` records from `pre_s` before an alert is raised
until `post_s` after it clears: frames are held back in a short pre-roll until then, and
the alert's raise reaches the recorder a little after its frame was captured, so the
pre-roll holds `pre_s` plus that slack.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from monitor.config.recording import RecordingConfig, RecordingPolicy

T = TypeVar("T")

ALERT_NOTICE_SLACK_S = 10.0
"""How late an alert's raise may reach the recorder and still get its full pre-roll."""
MAX_GAP_S = 2.0
"""A longer pause between frames (source offline) starts a new segment."""


@dataclass
class RecordWindow:
    """Whether a frame captured at `t` belongs in the recording, given the alerts so far."""

    config: RecordingConfig
    _raised_at: float | None = None
    _cleared_at: float | None = None

    def alert_raised(self, at: float) -> None:
        self._raised_at, self._cleared_at = at, None

    def alert_cleared(self, at: float) -> None:
        if self._raised_at is not None:
            self._cleared_at = at

    def wanted(self, t: float) -> bool:
        policy = self.config.policy
        if policy is RecordingPolicy.CONTINUOUS:
            return True
        if policy is RecordingPolicy.OFF or self._raised_at is None:
            return False
        if t < self._raised_at - self.config.pre_s:
            return False
        return self._cleared_at is None or t <= self._cleared_at + self.config.post_s


@dataclass
class PreRoll(Generic[T]):
    """The last `keep_s` seconds of (time, item), oldest first."""

    keep_s: float
    _items: deque[tuple[float, T]] = field(default_factory=deque)

    def push(self, t: float, item: T) -> None:
        self._items.append((t, item))
        while self._items and self._items[0][0] < t - self.keep_s:
            self._items.popleft()

    def take(self, window: RecordWindow) -> list[tuple[float, T]]:
        """Removes and returns the held items the window now wants, oldest first."""
        wanted = [(t, item) for t, item in self._items if window.wanted(t)]
        self._items.clear()
        return wanted

    def __len__(self) -> int:
        return len(self._items)


def starts_new_segment(
    segment_start: float | None,
    last_t: float | None,
    t: float,
    segment_s: float,
    size_changed: bool,
) -> bool:
    """True when the frame at `t` must open a new segment rather than extend the open one."""
    if segment_start is None or last_t is None or size_changed:
        return True
    return t - segment_start >= segment_s or t - last_t > MAX_GAP_S or t < last_t
