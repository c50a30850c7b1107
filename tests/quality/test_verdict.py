from __future__ import annotations

import pytest

from monitor.config.quality import ImageQualityConfig
from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import (
    CLEAR_MARGIN,
    ISSUE_WORDS,
    QualityIssue,
    QualityTracker,
    issue_words,
)

GOOD = FrameQuality(noise=1.0, detail=0.9, blocking=1.2, spread=40.0)
LIMITS = ImageQualityConfig(window_frames=1)


def frame(**changes: float) -> FrameQuality:
    fields = {"noise": GOOD.noise, "detail": GOOD.detail, "blocking": GOOD.blocking}
    return FrameQuality(**{**fields, "spread": GOOD.spread, **changes})


@pytest.mark.parametrize(
    ("measured", "issues"),
    [
        pytest.param(GOOD, (), id="good"),
        pytest.param(frame(noise=LIMITS.noise_limit + 0.1), (QualityIssue.NOISE,), id="grainy"),
        pytest.param(
            frame(detail=LIMITS.detail_limit - 0.01), (QualityIssue.DETAIL_LOSS,), id="starved"
        ),
        pytest.param(
            frame(blocking=LIMITS.blocking_limit + 0.1), (QualityIssue.BLOCKING,), id="blocky"
        ),
        pytest.param(
            frame(detail=0.4, blocking=2.0),
            (QualityIssue.DETAIL_LOSS, QualityIssue.BLOCKING),
            id="starved-and-blocky",
        ),
        # A covered lens has no detail either; "blank" says all there is to say.
        pytest.param(frame(spread=1.0, detail=0.0), (QualityIssue.BLANK,), id="covered"),
    ],
)
def test_each_limit_raises_its_own_issue(
    measured: FrameQuality, issues: tuple[QualityIssue, ...]
) -> None:
    assert QualityTracker(LIMITS).update(measured).issues == issues


def test_the_median_of_the_window_is_judged_so_one_odd_frame_flags_nothing() -> None:
    tracker = QualityTracker(ImageQualityConfig(window_frames=5))
    grainy = frame(noise=20.0)
    verdicts = [tracker.update(f) for f in (GOOD, GOOD, grainy, GOOD, grainy)]
    assert [v.issues for v in verdicts] == [()] * 5
    assert tracker.update(grainy).issues == (QualityIssue.NOISE,)  # now 3 of the last 5
    assert verdicts[-1].median.noise == GOOD.noise


@pytest.mark.parametrize(
    ("noise", "still_flagged"),
    [
        pytest.param(LIMITS.noise_limit / CLEAR_MARGIN + 0.05, True, id="inside-the-margin"),
        pytest.param(LIMITS.noise_limit / CLEAR_MARGIN - 0.05, False, id="past-the-margin"),
    ],
)
def test_an_issue_clears_only_past_its_margin(noise: float, still_flagged: bool) -> None:
    tracker = QualityTracker(LIMITS)
    tracker.update(frame(noise=LIMITS.noise_limit + 1.0))
    after = tracker.update(frame(noise=noise)).issues
    assert (QualityIssue.NOISE in after) is still_flagged
    # The same value, never flagged before, raises nothing: the margin is only for clearing.
    assert QualityTracker(LIMITS).update(frame(noise=noise)).issues == ()


def test_the_tracker_reports_the_issues_it_last_showed() -> None:
    tracker = QualityTracker(LIMITS)
    assert not tracker.issues
    tracker.update(frame(spread=0.5, noise=9.0))
    assert tracker.issues == (QualityIssue.BLANK,)


def test_a_blank_frame_is_flagged_at_once_and_kept_out_of_the_window() -> None:
    tracker = QualityTracker(ImageQualityConfig(window_frames=2))
    tracker.update(GOOD)
    covered = frame(spread=0.5, detail=0.0, noise=0.0)
    during = tracker.update(covered)  # one frame of two: a median would not see it yet
    assert (during.issues, during.median) == ((QualityIssue.BLANK,), covered)
    # In the window, the blank frame's zero detail would halve the median: "detail lost".
    after = tracker.update(GOOD)
    assert (after.issues, after.median) == ((), GOOD)


def test_every_issue_has_words() -> None:
    assert set(ISSUE_WORDS) == set(QualityIssue)


@pytest.mark.parametrize(
    ("issue", "words"),
    [
        pytest.param("detail_loss", "starved stream or blur", id="known"),
        pytest.param("lens_flare", "lens flare", id="newer than this server: as sent"),
    ],
)
def test_issue_words(issue: str, words: str) -> None:
    assert issue_words(issue) == words
