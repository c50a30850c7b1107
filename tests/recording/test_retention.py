from __future__ import annotations

import pytest

from monitor.config.recording import RetentionConfig
from monitor.recording.index import Pin, Segment
from monitor.recording.retention import AlertSpan, plan_deletions

HOUR = 3600.0
NOW = 1000 * HOUR


def seg(n: int, start_h: float, size: int = 100, site: str = "a") -> Segment:
    start = NOW - start_h * HOUR
    return Segment(n, site, start, start + 60, f"{site}/{n}.mp4", size, 600, 160, 120)


def pin(start_h: float, end_h: float, site: str | None = "a") -> Pin:
    return Pin(1, site, NOW - start_h * HOUR, NOW - end_h * HOUR, "chief", NOW, "")


def config(**changes: float) -> RetentionConfig:
    values = {"max_age_h": 10.0, "alert_max_age_h": 100.0, "disk_budget_mb": 1.0} | changes
    return RetentionConfig(**values)


def ids(segments: list[Segment]) -> list[int]:
    return [s.id for s in segments]


def test_age_limit_deletes_only_old_segments() -> None:
    segments = [seg(1, 30), seg(2, 20), seg(3, 5)]
    assert ids(plan_deletions(segments, [], [], config(), NOW)) == [1, 2]


def test_segments_of_an_alert_keep_their_own_longer_age() -> None:
    segments = [seg(1, 30), seg(2, 20)]
    alert = AlertSpan("a", NOW - 20 * HOUR, NOW - 20 * HOUR + 30)
    other_site = AlertSpan("b", NOW - 30 * HOUR, None)
    assert ids(plan_deletions(segments, [], [alert, other_site], config(), NOW)) == [1]


def test_an_open_alert_covers_everything_since_its_raise() -> None:
    segments = [seg(1, 30), seg(2, 20)]
    alert = AlertSpan("a", NOW - 25 * HOUR, None)
    assert ids(plan_deletions(segments, [], [alert], config(), NOW)) == [1]


@pytest.mark.parametrize(
    "pins",
    [
        pytest.param([pin(30.1, 29.9)], id="site-pin"),
        pytest.param([pin(31, 29, site=None)], id="all-sites-pin"),
    ],
)
def test_pinned_segments_are_never_deleted(pins: list[Pin]) -> None:
    segments = [seg(1, 30), seg(2, 20)]
    assert ids(plan_deletions(segments, pins, [], config(), NOW)) == [2]


def test_a_pin_of_another_site_does_not_protect() -> None:
    segments = [seg(1, 30)]
    assert ids(plan_deletions(segments, [pin(31, 29, site="b")], [], config(), NOW)) == [1]


def test_disk_budget_deletes_oldest_unpinned_first() -> None:
    big = 400_000
    segments = [seg(1, 5, big), seg(2, 4, big), seg(3, 3, big), seg(4, 2, big)]
    # 1.6 MB against a 1 MB budget: two must go; the oldest is pinned, so 2 and 3 go.
    plan = plan_deletions(segments, [pin(5.1, 4.9)], [], config(), NOW)
    assert ids(plan) == [2, 3]


def test_over_budget_ordinary_footage_goes_before_alert_footage() -> None:
    big = 600_000
    segments = [seg(1, 5, big), seg(2, 4, big)]
    alert = AlertSpan("a", NOW - 5 * HOUR, NOW - 5 * HOUR + 10)
    assert ids(plan_deletions(segments, [], [alert], config(), NOW)) == [2]


def test_within_budget_and_age_nothing_goes() -> None:
    assert plan_deletions([seg(1, 1), seg(2, 2)], [], [], config(), NOW) == []
