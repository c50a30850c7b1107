"""One site's view followed against its set-up view, steady across checks.

The view is checked every CHECK_EVERY_S on the frames' clock, not on every frame: a camera
that was moved stays moved, and a check costs about as much as a fifth of the density
model. The median of the last WINDOW_CHECKS checks is judged, so a gust that shakes the
mount, or a bus that fills the picture, flags nothing; a preset left for good is flagged
within about ten seconds.

The set-up view stays the yardstick, but what is matched against it drifts through the
day: shadows turn, a kiosk goes up, a street lit for the night looks little like noon. So
a second reference follows the scene while it still matches the set-up view closely, and
carries its transform to it; the shift judged is always the one to the set-up view, so a
mount sagging a little every hour is still caught when it has sagged too far.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from monitor.density.base import Frame
from monitor.density.crowd_mask import PeopleGrid
from monitor.quality.verdict import CLEAR_MARGIN
from monitor.quality.view import (
    Transform,
    ViewPrint,
    compose,
    identity,
    match_view,
    view_print,
    view_shift,
)

CHECK_EVERY_S = 2.0
WINDOW_CHECKS = 5
MIN_CHECKS = 3
# The following reference moves on at most this often, and only to a frame within a
# quarter of the limit of the set-up view.
FOLLOW_EVERY_S = 600.0
_FOLLOW_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class ViewCheck:
    """Once flagged, the view must be CLEAR_MARGIN closer than the limit to clear, as the
    other picture issues, so a camera resting on the limit does not flicker."""

    moved: bool  # off its set-up view, or no longer recognised
    # The median over the window, as a share of the frame's width; None: not recognised
    # (most checks matched nothing of the set-up view).
    shift: float | None


@dataclass(frozen=True, slots=True)
class _Reference:
    print: ViewPrint
    to_anchor: Transform  # the set-up view's pixels -> this reference's pixels
    taken_at: float


class ViewWatch:
    """Not thread-safe: one per site loop."""

    def __init__(self, anchor: ViewPrint) -> None:
        self._anchor = _Reference(anchor, identity(), float("-inf"))
        self._following: _Reference | None = None
        self._shifts: deque[float] = deque(maxlen=WINDOW_CHECKS)  # inf: not recognised
        self._checked_at: float | None = None
        self._state: ViewCheck | None = None

    @property
    def anchor(self) -> ViewPrint:
        return self._anchor.print

    @property
    def checkable(self) -> bool:
        """False for a set-up view with too little structure to hold a camera to."""
        return self._anchor.print.checkable

    def check(
        self, at: float, image: Frame, shift_limit: float, people: PeopleGrid | None = None
    ) -> ViewCheck | None:
        """The view's state after this frame; a check is made only when one is due. None
        until MIN_CHECKS checks (the first frame alone is not judged), and always for a
        set-up view that is not checkable. `people`: the frame's density map, so its crowd
        is not taken for the scene."""
        if not self.checkable:
            return None
        last = self._checked_at
        if last is None or at - last >= CHECK_EVERY_S or at < last:
            self._checked_at = at
            current = view_print(image, people)
            if current.checkable:  # else it says nothing either way
                self._shifts.append(self._measure(at, current, shift_limit))
            if len(self._shifts) >= MIN_CHECKS:
                self._state = self._judge(shift_limit)
        return self._state

    def _measure(self, at: float, current: ViewPrint, shift_limit: float) -> float:
        """The shift to the set-up view; inf when neither reference is recognised."""
        for reference in (self._following, self._anchor):
            if reference is None:
                continue
            transform = match_view(reference.print, current)
            if transform is None:
                continue
            to_current = compose(transform, reference.to_anchor)
            shift = view_shift(to_current, self._anchor.print, current)
            if shift <= shift_limit * _FOLLOW_SHARE:
                self._follow(at, current, to_current)
            return shift
        return float("inf")

    def _follow(self, at: float, current: ViewPrint, to_current: Transform) -> None:
        following = self._following
        # A clock gone back (a new source, a replay) makes the old reference's age meaningless.
        if (
            following is None
            or at < following.taken_at
            or at - following.taken_at >= FOLLOW_EVERY_S
        ):
            self._following = _Reference(current, to_current, at)

    def _judge(self, shift_limit: float) -> ViewCheck:
        median = float(np.median(np.array(self._shifts)))
        moved_before = self._state is not None and self._state.moved
        limit = shift_limit / CLEAR_MARGIN if moved_before else shift_limit
        shift = round(median, 4) if np.isfinite(median) else None
        return ViewCheck(moved=median > limit, shift=shift)
