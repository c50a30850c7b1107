"""From frame measurements to the issues an operator sees, steady across frames.

The median over a window of frames is judged, with a margin before an issue clears, so a
picture on the edge does not flicker between good and poor.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from monitor.config.quality import ImageQualityConfig
from monitor.quality.assess import FrameQuality

# An issue clears only once its measure is this factor back on the good side of the limit.
CLEAR_MARGIN = 1.1


class QualityIssue(StrEnum):
    BLANK = "blank"  # nothing to see: the count is meaningless
    NOISE = "noise"  # grainy: counts may be off either way
    DETAIL_LOSS = "detail_loss"  # starved stream or blur: counts read low
    BLOCKING = "blocking"  # heavy compression blocks: counts may be off either way


@dataclass(frozen=True, slots=True)
class QualityVerdict:
    issues: tuple[QualityIssue, ...]  # empty: a good picture
    median: FrameQuality  # over the window


class QualityTracker:
    """One site's picture quality over its last frames. Not thread-safe: one per site loop."""

    def __init__(self, config: ImageQualityConfig) -> None:
        self._config = config
        self._window: deque[FrameQuality] = deque(maxlen=config.window_frames)
        self._issues: frozenset[QualityIssue] = frozenset()
        self._shown: tuple[QualityIssue, ...] = ()

    @property
    def config(self) -> ImageQualityConfig:
        return self._config

    @property
    def issues(self) -> tuple[QualityIssue, ...]:
        """As the last verdict showed them."""
        return self._shown

    def update(self, frame: FrameQuality) -> QualityVerdict:
        self._window.append(frame)
        median = _median(self._window)
        self._issues = frozenset(
            issue for issue in QualityIssue if self._has(issue, median, issue in self._issues)
        )
        # A blank picture has no noise, detail or blocks worth reporting beside it.
        shown = (QualityIssue.BLANK,) if QualityIssue.BLANK in self._issues else None
        self._shown = shown or tuple(issue for issue in QualityIssue if issue in self._issues)
        return QualityVerdict(issues=self._shown, median=median)

    def _has(self, issue: QualityIssue, median: FrameQuality, held: bool) -> bool:
        config = self._config
        margin = CLEAR_MARGIN if held else 1.0
        match issue:
            case QualityIssue.BLANK:
                return median.spread < config.blank_spread_limit * margin
            case QualityIssue.NOISE:
                return median.noise > config.noise_limit / margin
            case QualityIssue.DETAIL_LOSS:
                return median.detail < config.detail_limit * margin
            case QualityIssue.BLOCKING:
                return median.blocking > config.blocking_limit / margin


def _median(window: deque[FrameQuality]) -> FrameQuality:
    values = np.median([(q.noise, q.detail, q.blocking, q.spread) for q in window], axis=0)
    noise, detail, blocking, spread = (float(v) for v in values)
    return FrameQuality(noise=noise, detail=detail, blocking=blocking, spread=spread)
