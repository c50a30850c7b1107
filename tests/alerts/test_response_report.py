from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from monitor.alerts.model import Alert, AlertState
from monitor.alerts.response_report import Durations, durations, response_report

T0 = 10_000.0


def alert(n: int, site: str = "wuyi", **fields: Any) -> Alert:
    values: dict[str, Any] = {
        "id": f"a{n}",
        "site_id": site,
        "metric": "peak_density",
        "level": "high",
        "peak_level": "high",
        "peak_value": 4.0,
        "state": AlertState.OPEN,
        "raised_at": T0 + n,
        "updated_at": T0 + n,
    }
    values.update(fields)
    return Alert(**values)


def dispatched(
    n: int, tier: int, after_s: float, arrived_after_s: float | None, **fields: Any
) -> Alert:
    raised = T0 + n
    return alert(
        n,
        acknowledged_at=raised + 5,
        dispatched_at=raised + after_s,
        platform_id=f"p{tier}",
        platform_name=f"Platform {tier} min",
        tier_minutes=tier,
        arrived_at=None if arrived_after_s is None else raised + after_s + arrived_after_s,
        state=AlertState.DISPATCHED if arrived_after_s is None else AlertState.ARRIVED,
        **fields,
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param([], Durations(0, None, None, None), id="none"),
        pytest.param([7.0], Durations(1, 7.0, 7.0, 7.0), id="one"),
        pytest.param([30.0, 10.0, 90.0], Durations(3, 30.0, 90.0, 90.0), id="odd"),
        pytest.param([1.0, 2.0, 3.0, 4.0], Durations(4, 2.5, 4.0, 4.0), id="even"),
        pytest.param(
            [float(i) for i in range(1, 21)], Durations(20, 10.5, 18.0, 20.0), id="p90-rank"
        ),
    ],
)
def test_durations(values: list[float], expected: Durations) -> None:
    assert durations(values) == expected


def test_a_quiet_span_still_lists_every_site() -> None:
    report = response_report([], T0, T0 + 3600, now=T0 + 3600, site_ids=["wuyi", "pozi"])
    assert [s.site_id for s in report.sites] == ["wuyi", "pozi"]
    assert report.total.alerts == 0
    assert report.total.acknowledge == Durations(0, None, None, None)
    assert report.tiers == []
    assert report.late == []


def test_acknowledgement_times_and_who_was_left_waiting() -> None:
    alerts = [
        alert(1, acknowledged_at=T0 + 1 + 30, state=AlertState.ACKNOWLEDGED),
        alert(2, acknowledged_at=T0 + 2 + 90, overdue_at=T0 + 62, state=AlertState.ACKNOWLEDGED),
        alert(3, site="pozi", acknowledged_at=T0 + 3 + 10, state=AlertState.ACKNOWLEDGED),
        # Resolved with nobody acknowledging it; cleared and unacknowledged; still waiting.
        alert(4, state=AlertState.RESOLVED, cleared_at=T0 + 100, resolved_at=T0 + 200),
        alert(5, cleared_at=T0 + 50),
        alert(6, overdue_at=T0 + 66, peak_value=5.5, peak_level="critical"),
    ]
    report = response_report(alerts, T0, T0 + 3600, now=T0 + 300, site_ids=["wuyi"])
    total = report.total
    assert (total.alerts, total.acknowledged, total.overdue) == (6, 3, 2)
    assert total.acknowledge == Durations(3, 30.0, 90.0, 90.0)
    assert (total.never_acknowledged, total.waiting_now) == (2, 2)  # a5 both, a6 waiting
    assert total.still_open == 5
    assert total.by_peak_level == {"high": 5, "critical": 1}
    assert (total.peak_value, total.peak_alert_id) == (5.5, "a6")
    assert total.crowd == Durations(2, 70.5, 96.0, 96.0)  # a4: 96 s, a5: 45 s
    wuyi, pozi = report.sites
    assert (wuyi.alerts, pozi.alerts) == (5, 1)
    assert pozi.acknowledge.median_s == 10.0


def test_each_tier_arrived_within_late_on_the_way_or_called_off() -> None:
    called_off = replace(
        dispatched(5, tier=3, after_s=30, arrived_after_s=None),
        state=AlertState.RESOLVED,
        resolved_at=T0 + 90,
    )
    alerts = [
        dispatched(1, tier=3, after_s=20, arrived_after_s=150),  # within 180 s
        dispatched(2, tier=5, after_s=40, arrived_after_s=400),  # late: 400 s > 300
        dispatched(3, tier=1, after_s=50, arrived_after_s=None),  # 47 s on the way at now
        dispatched(4, tier=1, after_s=10, arrived_after_s=None),  # 86 s, not there: late
        called_off,
    ]
    report = response_report(alerts, T0, T0 + 3600, now=T0 + 100)
    tiers = {t.tier_minutes: t for t in report.tiers}
    assert sorted(tiers) == [1, 3, 5]
    one, three, five = tiers[1], tiers[3], tiers[5]
    assert (one.dispatched, one.within, one.late, one.on_the_way, one.not_arrived) == (
        2,
        0,
        1,
        1,
        0,
    )
    assert (three.dispatched, three.within, three.late, three.on_the_way, three.not_arrived) == (
        2,
        1,
        0,
        0,
        1,
    )
    assert (five.dispatched, five.within, five.late) == (1, 0, 1)
    assert three.arrival == Durations(1, 150.0, 150.0, 150.0)
    total = report.total
    assert (total.dispatched, total.within_tier, total.late) == (5, 1, 2)
    assert total.dispatch == Durations(5, 30.0, 50.0, 50.0)
    # The worst overshoot first: the 5-minute platform 100 s over, then the 1-minute one 26 s.
    assert [(late.alert_id, late.took_s, late.arrived) for late in report.late] == [
        ("a2", 400.0, True),
        ("a4", 86.0, False),
    ]
    assert report.late[0].platform == "Platform 5 min"


def test_only_alerts_raised_in_the_span_count() -> None:
    alerts = [alert(-10), alert(5), alert(4000)]
    report = response_report(alerts, T0, T0 + 3600, now=T0 + 5000)
    assert report.total.alerts == 1
    with pytest.raises(ValueError, match="after until"):
        response_report(alerts, T0 + 1, T0, now=T0)
