"""The response steps: each from the states it applies to, refused from the others."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from monitor.alerts import lifecycle
from monitor.alerts.lifecycle import AlertError, Dispatch
from monitor.alerts.model import Alert, AlertEventKind, AlertState, AlertUpdate

PLATFORM = Dispatch("wuyi-1min", "Wuyi platform", 1)
OTHER = Dispatch("furong-5min", "Furong station", 5)


def raised(cleared: bool = False) -> Alert:
    return Alert(
        id="a1",
        site_id="wuyi",
        metric="peak_density",
        level="normal" if cleared else "high",
        peak_level="high",
        peak_value=4.2,
        state=AlertState.OPEN,
        raised_at=100.0,
        updated_at=100.0,
        cleared_at=160.0 if cleared else None,
    )


Step = Callable[[Alert], AlertUpdate]

ACK: Step = lambda a: lifecycle.acknowledge(a, "li", "seen", 110.0, "e-ack")  # noqa: E731
SEND: Step = lambda a: lifecycle.dispatch(a, PLATFORM, "li", "go", 120.0, "e-dis")  # noqa: E731
RESEND: Step = lambda a: lifecycle.dispatch(a, OTHER, "wang", "", 125.0, "e-dis2")  # noqa: E731
ARRIVE: Step = lambda a: lifecycle.arrive(a, "li", "on site", 170.0, "e-arr")  # noqa: E731
RESOLVE: Step = lambda a: lifecycle.resolve(a, "zhao", "dispersed", 200.0, "e-res")  # noqa: E731


def run(alert: Alert, *steps: Step) -> Alert:
    for step in steps:
        alert = step(alert).alert
    return alert


def test_full_lifecycle_records_who_when_and_what() -> None:
    alert = raised(cleared=True)
    updates = []
    for step in (ACK, SEND, ARRIVE, RESOLVE):
        update = step(alert)
        updates.append(update)
        alert = update.alert
    assert [u.event.kind for u in updates] == [
        AlertEventKind.ACKNOWLEDGED,
        AlertEventKind.DISPATCHED,
        AlertEventKind.ARRIVED,
        AlertEventKind.RESOLVED,
    ]
    assert [u.alert.state for u in updates] == [
        AlertState.ACKNOWLEDGED,
        AlertState.DISPATCHED,
        AlertState.ARRIVED,
        AlertState.RESOLVED,
    ]
    assert [(u.event.by, u.event.at) for u in updates] == [
        ("li", 110.0),
        ("li", 120.0),
        ("li", 170.0),
        ("zhao", 200.0),
    ]
    assert updates[1].event.note == "Wuyi platform (1 min): go"
    assert updates[3].event.note == "dispersed"
    assert (alert.acknowledged_by, alert.acknowledge_note) == ("li", "seen")
    assert (alert.platform_id, alert.platform_name, alert.tier_minutes) == (
        "wuyi-1min",
        "Wuyi platform",
        1,
    )
    assert (alert.dispatched_at, alert.arrived_at, alert.arrived_by) == (120.0, 170.0, "li")
    assert (alert.resolved_at, alert.resolved_by, alert.outcome) == (200.0, "zhao", "dispersed")
    assert not alert.is_open


def test_redispatch_to_another_platform_replaces_the_target() -> None:
    alert = run(raised(), ACK, SEND, RESEND)
    assert (alert.platform_id, alert.tier_minutes, alert.dispatched_at) == (
        "furong-5min",
        5,
        125.0,
    )
    assert alert.dispatched_by == "wang"


def test_acknowledged_false_alarm_resolves_without_dispatch() -> None:
    assert run(raised(cleared=True), ACK, RESOLVE).state is AlertState.RESOLVED


@pytest.mark.parametrize(
    ("before", "step", "message"),
    [
        pytest.param((), SEND, "acknowledged before dispatching", id="dispatch-unacknowledged"),
        pytest.param((), ARRIVE, "only a dispatch can arrive", id="arrive-undispatched"),
        pytest.param((ACK,), ARRIVE, "only a dispatch can arrive", id="arrive-acknowledged"),
        pytest.param((), RESOLVE, "acknowledged before it is resolved", id="resolve-open"),
        pytest.param((ACK,), ACK, "already acknowledged by li", id="acknowledge-twice"),
        pytest.param((ACK, SEND), SEND, "already dispatched to", id="dispatch-same-twice"),
        pytest.param((ACK, SEND, ARRIVE), RESEND, "already arrived", id="dispatch-after-arrival"),
        pytest.param((ACK, SEND, ARRIVE), ARRIVE, "only a dispatch", id="arrive-twice"),
        pytest.param((ACK, RESOLVE), ACK, "already resolved", id="acknowledge-resolved"),
        pytest.param((ACK, RESOLVE), RESOLVE, "already resolved", id="resolve-twice"),
    ],
)
def test_steps_out_of_order_are_refused(before: tuple[Step, ...], step: Step, message: str) -> None:
    alert = run(raised(cleared=True), *before)
    with pytest.raises(AlertError, match=message):
        step(alert)


def test_resolve_waits_for_the_crowd_to_clear() -> None:
    on_scene = run(raised(cleared=False), ACK, SEND, ARRIVE)
    with pytest.raises(AlertError, match="still at level high"):
        RESOLVE(on_scene)
    assert RESOLVE(replace(on_scene, cleared_at=190.0)).alert.state is AlertState.RESOLVED
