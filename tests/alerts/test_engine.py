from __future__ import annotations

import itertools
from collections.abc import Iterable

import pytest

from monitor.alerts.engine import AlertEngine, AlertError
from monitor.alerts.model import AlertEventKind, AlertState
from monitor.config.thresholds import LevelConfig, ThresholdsConfig


def thresholds(min_duration_s: float = 0.0, cooldown_s: float = 0.0) -> ThresholdsConfig:
    return ThresholdsConfig(
        min_duration_s=min_duration_s,
        cooldown_s=cooldown_s,
        levels=[
            LevelConfig(name="elevated", color="#f5c542", enter=2.0, exit=1.5),
            LevelConfig(name="high", color="#f08c00", enter=4.0, exit=3.5),
            LevelConfig(name="critical", color="#e03131", enter=5.0, exit=4.5),
        ],
    )


def engine(min_duration_s: float = 0.0, cooldown_s: float = 0.0) -> AlertEngine:
    ids = (f"id{n}" for n in itertools.count())
    return AlertEngine("wuyi", thresholds(min_duration_s, cooldown_s), id_factory=lambda: next(ids))


def replay(
    subject: AlertEngine, timeline: Iterable[tuple[float, float]]
) -> list[tuple[float, str, str]]:
    """(time, event kind, level) for every transition over (time, value) readings."""
    return [
        (update.event.at, update.event.kind.value, update.event.level)
        for at, value in timeline
        for update in subject.update(at, value)
    ]


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        pytest.param([(0, 1.0), (1, 1.9)], [], id="below-enter-stays-normal"),
        pytest.param([(0, 2.0)], [(0, "raised", "elevated")], id="at-enter-raises"),
        pytest.param(
            [(0, 2.5), (1, 1.6), (2, 1.49)],
            [(0, "raised", "elevated"), (2, "cleared", "normal")],
            id="hysteresis-holds-between-exit-and-enter",
        ),
        pytest.param(
            [(0, 2.5), (1, 4.2), (2, 5.5)],
            [(0, "raised", "elevated"), (1, "escalated", "high"), (2, "escalated", "critical")],
            id="escalates-step-by-step",
        ),
        pytest.param([(0, 6.0)], [(0, "raised", "critical")], id="jumps-straight-to-critical"),
        pytest.param(
            [(0, 6.0), (1, 3.0)],
            [(0, "raised", "critical"), (1, "deescalated", "elevated")],
            id="falls-through-levels-to-highest-still-held",
        ),
        pytest.param(
            [(0, 6.0), (1, 4.6), (2, 4.0)],
            [(0, "raised", "critical"), (2, "deescalated", "high")],
            id="deescalates-below-exit-only",
        ),
        pytest.param(
            [(0, 6.0), (1, 0.0)],
            [(0, "raised", "critical"), (1, "cleared", "normal")],
            id="resolves-from-any-level",
        ),
    ],
)
def test_levels_and_hysteresis(
    timeline: list[tuple[float, float]], expected: list[tuple[float, str, str]]
) -> None:
    assert replay(engine(), timeline) == expected


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        pytest.param([(0, 3.0), (4.9, 3.0)], [], id="short-spike-is-ignored"),
        pytest.param(
            [(0, 3.0), (5.0, 3.0)], [(5.0, "raised", "elevated")], id="raises-after-duration"
        ),
        pytest.param(
            [(0, 3.0), (3, 1.0), (4, 3.0), (8.9, 3.0), (9, 3.0)],
            [(9, "raised", "elevated")],
            id="dip-restarts-the-clock",
        ),
        pytest.param(
            [(0, 3.0), (5, 3.0), (6, 1.0), (10.9, 1.0), (11, 1.0)],
            [(5, "raised", "elevated"), (11, "cleared", "normal")],
            id="clearing-also-waits-the-duration",
        ),
        pytest.param(
            [(0, 3.0), (5, 3.0), (6, 1.0), (8, 1.8), (9, 1.0), (13, 1.0), (14, 1.0)],
            [(5, "raised", "elevated"), (14, "cleared", "normal")],
            id="rise-above-exit-restarts-clearing",
        ),
        pytest.param(
            [(0, 3.0), (5, 3.0), (6, 4.5), (10, 4.5), (11, 4.5)],
            [(5, "raised", "elevated"), (11, "escalated", "high")],
            id="escalation-waits-the-duration",
        ),
    ],
)
def test_minimum_duration(
    timeline: list[tuple[float, float]], expected: list[tuple[float, str, str]]
) -> None:
    assert replay(engine(min_duration_s=5.0), timeline) == expected


@pytest.mark.parametrize(
    ("timeline", "expected"),
    [
        pytest.param(
            [(0, 3.0), (1, 1.0), (20, 3.0), (59, 3.0)],
            [(0, "raised", "elevated"), (1, "cleared", "normal")],
            id="no-reraise-within-cooldown",
        ),
        pytest.param(
            [(0, 3.0), (1, 1.0), (20, 3.0), (61, 3.0)],
            [(0, "raised", "elevated"), (1, "cleared", "normal"), (61, "raised", "elevated")],
            id="reraises-after-cooldown",
        ),
        pytest.param(
            [(0, 4.5), (1, 3.0), (2, 4.5), (30, 4.5), (62, 4.5)],
            [
                (0, "raised", "high"),
                (1, "deescalated", "elevated"),
                (62, "escalated", "high"),
            ],
            id="cooldown-applies-per-level",
        ),
        pytest.param(
            [(0, 3.0), (1, 1.0), (10, 6.0)],
            [(0, "raised", "elevated"), (1, "cleared", "normal"), (10, "raised", "critical")],
            id="higher-level-not-blocked-by-lower-cooldown",
        ),
    ],
)
def test_cooldown(
    timeline: list[tuple[float, float]], expected: list[tuple[float, str, str]]
) -> None:
    assert replay(engine(cooldown_s=60.0), timeline) == expected


def test_one_alert_spans_an_episode() -> None:
    subject = engine()
    updates = [
        u for at, v in [(0, 2.5), (1, 4.5), (2, 3.0), (3, 0.5)] for u in subject.update(at, v)
    ]
    assert len({u.alert.id for u in updates}) == 1
    # Clearing ends the episode, not the alert: operators still have to resolve it.
    assert [u.alert.state for u in updates] == [AlertState.OPEN] * 4
    assert updates[-1].event.kind is AlertEventKind.CLEARED
    assert updates[-1].alert.peak_level == "high"
    assert updates[-1].alert.peak_value == 4.5
    assert updates[-1].alert.cleared_at == 3
    assert updates[-1].alert.resolved_at is None
    assert updates[-1].alert.is_open
    assert not updates[-1].alert.is_active
    assert subject.alert is None
    assert len({u.event.id for u in updates}) == len(updates)


def test_acknowledge_records_who_and_keeps_alert_open() -> None:
    subject = engine()
    raised = subject.update(0, 3.0)[0].alert
    update = subject.acknowledge(raised.id, by="officer li", note="platform 3 en route", at=4.0)
    assert update.event.kind is AlertEventKind.ACKNOWLEDGED
    assert (update.event.by, update.event.note) == ("officer li", "platform 3 en route")
    assert update.alert.state is AlertState.ACKNOWLEDGED
    assert update.alert.acknowledged_at == 4.0
    escalated = subject.update(5, 4.5)[0]
    assert escalated.alert.state is AlertState.ACKNOWLEDGED
    assert escalated.alert.id == raised.id


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        pytest.param(lambda e: "nope", "not active", id="unknown-alert"),
        pytest.param(
            lambda e: e.acknowledge(e.update(0, 3.0)[0].alert.id, "a", "", 1).alert.id,
            "already acknowledged",
            id="acknowledged-twice",
        ),
        pytest.param(
            lambda e: [e.update(0, 3.0)[0].alert.id, e.update(1, 0.0)][0],
            "not active",
            id="cleared-alert",
        ),
    ],
)
def test_acknowledge_refusals(prepare: object, message: str) -> None:
    subject = engine()
    alert_id = prepare(subject)  # type: ignore[operator]
    with pytest.raises(AlertError, match=message):
        subject.acknowledge(alert_id, by="x", note="", at=2.0)


def test_restored_open_alert_continues_after_restart() -> None:
    before = engine()
    raised = before.update(0, 4.5)[0].alert
    after = AlertEngine("wuyi", thresholds(), open_alert=raised)
    assert after.level == "high"
    assert after.alert == raised
    cleared = after.update(10, 0.0)
    assert [(u.event.kind.value, u.alert.id) for u in cleared] == [("cleared", raised.id)]


def test_cleared_alert_is_not_restored_into_the_engine() -> None:
    before = engine()
    raised = before.update(0, 4.5)[0].alert
    cleared = before.update(1, 0.0)[0].alert
    after = AlertEngine("wuyi", thresholds(), open_alert=cleared)
    assert (after.level, after.alert) == ("normal", None)
    # A new rise is a new alert, while the cleared one still waits for its resolution.
    again = after.update(2, 2.5)[0]
    assert again.event.kind is AlertEventKind.RAISED
    assert again.alert.id != raised.id


@pytest.mark.parametrize(
    ("timeline", "acknowledge_at", "expected"),
    [
        pytest.param(
            [(0, 3.0), (59, 3.0), (60, 3.0), (61, 3.0)],
            None,
            [(0, "raised"), (60, "overdue")],
            id="overdue-once-at-the-deadline",
        ),
        pytest.param(
            [(0, 3.0), (30, 3.0), (90, 3.0)],
            10.0,
            [(0, "raised")],
            id="acknowledged-in-time-never-overdue",
        ),
        pytest.param(
            [(0, 3.0), (30, 0.0), (90, 0.0)],
            None,
            [(0, "raised"), (30, "cleared")],
            id="cleared-before-deadline-not-overdue",
        ),
        pytest.param(
            [(0, 3.0), (70, 4.5)],
            None,
            [(0, "raised"), (70, "escalated"), (70, "overdue")],
            id="overdue-with-an-escalation",
        ),
    ],
)
def test_unacknowledged_alert_becomes_overdue(
    timeline: list[tuple[float, float]],
    acknowledge_at: float | None,
    expected: list[tuple[float, str]],
) -> None:
    ids = (f"id{n}" for n in itertools.count())
    subject = AlertEngine("wuyi", thresholds(), id_factory=lambda: next(ids), escalate_after_s=60)
    seen: list[tuple[float, str]] = []
    for at, value in timeline:
        if acknowledge_at is not None and subject.alert is not None and at > acknowledge_at:
            subject.acknowledge(subject.alert.id, "li", "", acknowledge_at)
            acknowledge_at = None
        seen += [(u.event.at, u.event.kind.value) for u in subject.update(at, value)]
    assert seen == expected


def test_overdue_is_marked_on_the_alert_and_survives_escalation() -> None:
    subject = AlertEngine("wuyi", thresholds(), escalate_after_s=5)
    subject.update(0, 3.0)
    overdue = subject.update(5, 3.0)[0].alert
    assert overdue.overdue_at == 5
    assert subject.update(6, 4.5)[0].alert.overdue_at == 5


@pytest.mark.parametrize(
    ("ticks", "expected"),
    [
        pytest.param([30.0, 59.0], [], id="before-the-deadline"),
        pytest.param([30.0, 61.0, 90.0], [(61.0, 3.2)], id="once-past-the-deadline"),
    ],
)
def test_overdue_without_readings(ticks: list[float], expected: list[tuple[float, float]]) -> None:
    """The camera dies right after the alert is raised: the deadline still fires, carrying
    the last value the site reported."""
    subject = AlertEngine("wuyi", thresholds(), escalate_after_s=60)
    subject.update(0, 3.2)
    fired = [subject.tick(at) for at in ticks]
    assert [(u.event.at, u.event.value) for u in fired if u is not None] == expected
    assert [u.event.kind for u in fired if u is not None] == [AlertEventKind.OVERDUE] * len(
        expected
    )


@pytest.mark.parametrize(
    ("timeline", "acknowledge"),
    [
        pytest.param([(0, 0.5)], False, id="no-alert"),
        pytest.param([(0, 3.0)], True, id="acknowledged"),
        pytest.param([(0, 3.0), (30, 0.0)], False, id="crowd-cleared"),
    ],
)
def test_tick_leaves_quiet_or_handled_sites_alone(
    timeline: list[tuple[float, float]], acknowledge: bool
) -> None:
    subject = AlertEngine("wuyi", thresholds(), escalate_after_s=60)
    for at, value in timeline:
        subject.update(at, value)
    if acknowledge:
        assert subject.alert is not None
        subject.acknowledge(subject.alert.id, "li", "", 1.0)
    assert subject.tick(1000.0) is None


def test_new_thresholds_apply_to_next_reading() -> None:
    subject = engine()
    assert subject.update(0, 3.0)[0].event.kind is AlertEventKind.RAISED
    stricter = ThresholdsConfig(
        min_duration_s=0,
        cooldown_s=0,
        levels=[
            LevelConfig(name="elevated", color="#f5c542", enter=1.0, exit=0.5),
            LevelConfig(name="high", color="#f08c00", enter=2.5, exit=2.0),
        ],
    )
    subject.set_thresholds(stricter)
    assert [u.event.level for u in subject.update(1, 3.0)] == ["high"]
