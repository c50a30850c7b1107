"""How a camera's picture has been over a span of time, folded from its stored readings.

Each reading vouches for the picture from its capture until the next reading, but for no
longer than a hold time: past that nothing was analysed. The site's recorded status says
why: its camera was offline, or the monitor was not running; otherwise (starting up, a
stalled stream, or before statuses were recorded) the time counts as dark. The readings
arrive oldest first, any number of them, so a week of a busy site is folded without
holding it in memory.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from monitor.quality.outages import StatusSpan
from monitor.quality.verdict import QualityIssue

# A reading stands for at least this long: a loaded machine analyses late, which is not a
# dark camera.
MIN_HOLD_S = 5.0
# ... or for this many analysis intervals at a slow rate.
HOLD_INTERVALS = 4


def reading_hold_s(analysis_fps: float) -> float:
    """How long one reading of a site analysed at `analysis_fps` vouches for its picture."""
    if not analysis_fps > 0:
        raise ValueError(f"analysis_fps must be positive, got {analysis_fps}")
    return max(MIN_HOLD_S, HOLD_INTERVALS / analysis_fps)


class PictureState(StrEnum):
    GOOD = "good"
    POOR = "poor"  # at least one quality issue
    UNASSESSED = "unassessed"  # analysed, but the site's picture check was off
    OFFLINE = "offline"  # nothing analysed: the camera was reported offline
    STOPPED = "stopped"  # nothing analysed: the monitor was not running
    DARK = "dark"  # nothing analysed, for no recorded reason


@dataclass(frozen=True, slots=True)
class PictureMark:
    """One stored reading's picture."""

    at: float  # capture time, epoch seconds
    issues: tuple[QualityIssue, ...] | None  # None: not assessed

    @property
    def state(self) -> PictureState:
        if self.issues is None:
            return PictureState.UNASSESSED
        return PictureState.POOR if self.issues else PictureState.GOOD


@dataclass(frozen=True, slots=True)
class PoorStretch:
    """An unbroken run of poor picture; a dark gap or a good reading ends it."""

    start: float
    end: float
    issues: tuple[QualityIssue, ...]  # every issue seen in it, in QualityIssue's order

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class StateTimes:
    """Seconds spent in each picture state; they add up to the span they cover."""

    good_s: float
    poor_s: float
    unassessed_s: float
    offline_s: float
    stopped_s: float
    dark_s: float


@dataclass(frozen=True, slots=True)
class HealthBin:
    start: float
    end: float
    times: StateTimes


@dataclass(frozen=True, slots=True)
class CameraHealth:
    since: float
    until: float
    times: StateTimes
    issue_s: Mapping[QualityIssue, float]  # every issue, zero when never seen
    stretch_count: int
    longest: PoorStretch | None
    latest: tuple[PoorStretch, ...]  # up to the tally's `keep_latest`, oldest first
    bins: tuple[HealthBin, ...]  # equal slices of [since, until], in order


class HealthTally:
    """Folds one site's picture marks, oldest first, into its `CameraHealth` over a span.

    Marks before `since` may be added (up to `hold_s` earlier, they cover the span's start);
    time is clipped to [since, until]. `status` (the site's recorded status spans, in order)
    tells why time without a picture had none. `finish` ends it. Not thread-safe: one per
    report.
    """

    def __init__(
        self,
        since: float,
        until: float,
        *,
        hold_s: float,
        bins: int = 1,
        keep_latest: int = 10,
        status: Sequence[StatusSpan] = (),
    ) -> None:
        if not until > since:
            raise ValueError(f"until ({until:g}) must be after since ({since:g})")
        if not hold_s > 0:
            raise ValueError(f"hold_s must be positive, got {hold_s}")
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        if keep_latest < 0:
            raise ValueError(f"keep_latest must not be negative, got {keep_latest}")
        self._since = since
        self._until = until
        self._hold_s = hold_s
        self._bin_s = (until - since) / bins
        # Seen seconds per bin and state; dark is what is left of each bin.
        self._seen = [dict.fromkeys(_SEEN_STATES, 0.0) for _ in range(bins)]
        self._issue_s = dict.fromkeys(QualityIssue, 0.0)
        self._last: PictureMark | None = None
        self._run_start = since  # where the run of pictures like the last mark's began
        self._open: PoorStretch | None = None
        self._stretch_count = 0
        self._longest: PoorStretch | None = None
        self._latest: deque[PoorStretch] = deque(maxlen=keep_latest)
        self._status = status
        self._status_index = 0  # the first span that may still overlap a gap
        self._covered_to = since  # pictures cover nothing later than this yet
        self._finished = False

    def add_all(self, marks: Iterable[PictureMark]) -> HealthTally:
        for mark in marks:
            self.add(mark)
        return self

    def add(self, mark: PictureMark) -> None:
        self._check_open()
        last = self._last
        if last is not None:
            if mark.at < last.at:
                raise ValueError(f"marks out of order: {mark.at:g} after {last.at:g}")
            held_until = last.at + self._hold_s
            if mark.issues == last.issues and mark.at <= held_until:
                # The same picture, unbroken: the run goes on. Most marks end here, so a
                # day of readings is folded run by run rather than mark by mark.
                self._last = mark
                return
            self._cover(self._run_start, last, min(mark.at, held_until))
        self._run_start = mark.at
        self._last = mark

    def finish(self) -> CameraHealth:
        """The health over the span; the last mark vouches up to its hold. Ends the tally."""
        self._check_open()
        self._finished = True
        if self._last is not None:
            self._cover(self._run_start, self._last, self._last.at + self._hold_s)
        self._explain_gap(self._until)
        self._close_stretch()
        bins = tuple(
            HealthBin(start=self._bin_start(i), end=self._bin_start(i + 1), times=self._times(i))
            for i in range(len(self._seen))
        )
        return CameraHealth(
            since=self._since,
            until=self._until,
            times=_total(bin_.times for bin_ in bins),
            issue_s=dict(self._issue_s),
            stretch_count=self._stretch_count,
            longest=self._longest,
            latest=tuple(self._latest),
            bins=bins,
        )

    def _check_open(self) -> None:
        if self._finished:
            raise RuntimeError("the tally is finished")

    def _cover(self, start: float, mark: PictureMark, end: float) -> None:
        """From `start` to `end`, the picture was as `mark` (the run's last) shows it."""
        start = max(start, self._since)
        end = min(end, self._until)
        if end <= start:
            return
        self._explain_gap(start)
        self._covered_to = max(self._covered_to, end)
        state = mark.state
        self._add_to_bins(state, start, end)
        if state is PictureState.POOR:
            issues = mark.issues or ()
            for issue in issues:
                self._issue_s[issue] += end - start
            self._extend_stretch(start, end, issues)
        else:
            self._close_stretch()

    def _explain_gap(self, until: float) -> None:
        """Time from the last picture's cover to `until` had none: the status says why."""
        start = self._covered_to
        if until <= start:
            return
        spans = self._status
        # Gaps come in time order, so spans wholly before this one never matter again.
        while self._status_index < len(spans) and spans[self._status_index].end <= start:
            self._status_index += 1
        for span in spans[self._status_index :]:
            if span.start >= until:
                break
            state = _GAP_STATES.get(span.status)
            if state is not None:
                self._add_to_bins(state, max(start, span.start), min(until, span.end))
        self._covered_to = until

    def _add_to_bins(self, state: PictureState, start: float, end: float) -> None:
        last_bin = len(self._seen) - 1
        index = min(last_bin, max(0, math.floor((start - self._since) / self._bin_s)))
        while start < end:
            bin_end = self._bin_start(index + 1)
            piece_end = end if index == last_bin else min(end, bin_end)
            self._seen[index][state] += piece_end - start
            start = piece_end
            index += 1

    def _bin_start(self, index: int) -> float:
        # The last edge is `until` itself, not a sum that rounding could leave short of it.
        if index >= len(self._seen):
            return self._until
        return self._since + index * self._bin_s

    def _times(self, index: int) -> StateTimes:
        seen = self._seen[index]
        span = self._bin_start(index + 1) - self._bin_start(index)
        covered = sum(seen.values())
        return StateTimes(
            good_s=seen[PictureState.GOOD],
            poor_s=seen[PictureState.POOR],
            unassessed_s=seen[PictureState.UNASSESSED],
            offline_s=seen[PictureState.OFFLINE],
            stopped_s=seen[PictureState.STOPPED],
            dark_s=max(0.0, span - covered),
        )

    def _extend_stretch(self, start: float, end: float, issues: tuple[QualityIssue, ...]) -> None:
        current = self._open
        if current is not None and current.end == start:
            merged = set(current.issues) | set(issues)
            self._open = PoorStretch(
                start=current.start,
                end=end,
                issues=tuple(issue for issue in QualityIssue if issue in merged),
            )
            return
        self._close_stretch()
        self._open = PoorStretch(start=start, end=end, issues=issues)

    def _close_stretch(self) -> None:
        stretch = self._open
        if stretch is None:
            return
        self._open = None
        self._stretch_count += 1
        self._latest.append(stretch)
        if self._longest is None or stretch.duration_s > self._longest.duration_s:
            self._longest = stretch


_SEEN_STATES = (
    PictureState.GOOD,
    PictureState.POOR,
    PictureState.UNASSESSED,
    PictureState.OFFLINE,
    PictureState.STOPPED,
)

# What a recorded status makes of time without a picture; the rest stays dark.
_GAP_STATES = {"offline": PictureState.OFFLINE, "stopped": PictureState.STOPPED}


def _total(parts: Iterable[StateTimes]) -> StateTimes:
    good = poor = unassessed = offline = stopped = dark = 0.0
    for part in parts:
        good += part.good_s
        poor += part.poor_s
        unassessed += part.unassessed_s
        offline += part.offline_s
        stopped += part.stopped_s
        dark += part.dark_s
    return StateTimes(
        good_s=good,
        poor_s=poor,
        unassessed_s=unassessed,
        offline_s=offline,
        stopped_s=stopped,
        dark_s=dark,
    )
