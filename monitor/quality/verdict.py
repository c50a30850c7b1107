"""From frame measurements to the issues an operator sees, steady across frames.

The median over a window of frames is judged, with a margin before an issue clears, so a
picture on the edge does not flicker between good and poor. Blank is the exception: judged
on each frame at once, because a blank frame's count must not reach the alert engine and
no real scene comes near the limit (the least spread among the training images is 18).
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
    VIEW_MOVED = "view_moved"  # off its set-up view: the region no longer fits the scene


# Each issue in the operator's words, for messages the server writes (webhooks): the live
# page's labels (PICTURE_ISSUES in web/js/util.js) begin with these, so a chat message and
# the page say the same (tests/web/test_faults.py holds them to it).
ISSUE_WORDS: dict[QualityIssue, str] = {
    QualityIssue.BLANK: "blank (lens covered?)",
    QualityIssue.NOISE: "grainy",
    QualityIssue.DETAIL_LOSS: "starved stream or blur",
    QualityIssue.BLOCKING: "heavy compression",
    QualityIssue.VIEW_MOVED: "view moved off its set-up",
}


def issue_words(issue: str) -> str:
    """`issue` in the operator's words; a name this server does not know, as sent."""
    try:
        return ISSUE_WORDS[QualityIssue(issue)]
    except ValueError:
        return issue.replace("_", " ")


_JUDGED_ON_MEDIAN = (QualityIssue.NOISE, QualityIssue.DETAIL_LOSS, QualityIssue.BLOCKING)


@dataclass(frozen=True, slots=True)
class QualityVerdict:
    issues: tuple[QualityIssue, ...]  # empty: a good picture
    median: FrameQuality  # over the window; a blank frame's own
    # How far the view is from its set-up view (share of the frame's width, the median of
    # the last checks); None: not checked, or not recognised (then VIEW_MOVED is an issue).
    view_shift: float | None = None


class QualityTracker:
    """One site's picture quality over its last frames. Not thread-safe: one per site loop."""

    def __init__(self, config: ImageQualityConfig) -> None:
        self._config = config
        self._window: deque[FrameQuality] = deque(maxlen=config.window_frames)
        self._issues: frozenset[QualityIssue] = frozenset()  # blank with the ones it hides

    @property
    def config(self) -> ImageQualityConfig:
        return self._config

    @property
    def issues(self) -> tuple[QualityIssue, ...]:
        """As the last verdict showed them: blank alone, else in QualityIssue's order."""
        if QualityIssue.BLANK in self._issues:
            return (QualityIssue.BLANK,)
        return tuple(issue for issue in QualityIssue if issue in self._issues)

    def update(self, frame: FrameQuality) -> QualityVerdict:
        if self._blank(frame):
            # Nothing was seen, so the other issues stay as they were, and the frame stays
            # out of the window: it says nothing about the camera's noise or detail.
            self._issues = self._issues | {QualityIssue.BLANK}
            return QualityVerdict(issues=self.issues, median=frame)
        self._window.append(frame)
        median = _median(self._window)
        self._issues = frozenset(issue for issue in _JUDGED_ON_MEDIAN if self._has(issue, median))
        return QualityVerdict(issues=self.issues, median=median)

    def _blank(self, frame: FrameQuality) -> bool:
        margin = CLEAR_MARGIN if QualityIssue.BLANK in self._issues else 1.0
        return frame.spread < self._config.blank_spread_limit * margin

    def _has(self, issue: QualityIssue, median: FrameQuality) -> bool:
        config = self._config
        margin = CLEAR_MARGIN if issue in self._issues else 1.0
        match issue:
            case QualityIssue.NOISE:
                return median.noise > config.noise_limit / margin
            case QualityIssue.DETAIL_LOSS:
                return median.detail < config.detail_limit * margin
            case QualityIssue.BLOCKING:
                return median.blocking > config.blocking_limit / margin
            case _:
                raise ValueError(f"{issue} is not judged on the window's median")


def _median(window: deque[FrameQuality]) -> FrameQuality:
    values = np.median([(q.noise, q.detail, q.blocking, q.spread) for q in window], axis=0)
    noise, detail, blocking, spread = (float(v) for v in values)
    return FrameQuality(noise=noise, detail=detail, blocking=blocking, spread=spread)
