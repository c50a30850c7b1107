from __future__ import annotations

import pytest

from monitor.bus.messages import FaultAckPublic, FaultKind
from monitor.faults.camera import CameraFault, Severity
from monitor.notify.repair_watch import RepairWatch

SINCE = 1000.0
BACK = 5000.0


def ack(
    site: str = "pozi", kind: str = "offline", since: float = SINCE, back: float | None = BACK
) -> FaultAckPublic:
    return FaultAckPublic(
        site_id=site, kind=kind, since=since, at=SINCE + 60, by="li", note="", expected_back=back
    )


def fault(
    kind: FaultKind = "offline", since: float = SINCE, severity: Severity = "bad"
) -> CameraFault:
    return CameraFault(kind, severity, since)


@pytest.mark.parametrize(
    ("given", "now", "state", "reminded"),
    [
        pytest.param(ack(), BACK, fault(), True, id="still-down-at-its-time"),
        pytest.param(ack(), BACK - 1, fault(), False, id="not-yet"),
        pytest.param(ack(), BACK + 1, None, False, id="repaired-in-time"),
        pytest.param(ack(), BACK + 1, fault(since=BACK - 100), False, id="down-again-a-new-fault"),
        pytest.param(ack(kind="starting"), BACK, fault("starting"), True, id="never-connected"),
        pytest.param(ack(kind="stalled"), BACK, fault("stalled"), True, id="still-stalled"),
        pytest.param(
            ack(kind="picture"), BACK, fault("picture", severity="warn"), True, id="still-poor"
        ),
        pytest.param(ack(), BACK, fault("stalled"), False, id="another-fault-now"),
        pytest.param(ack(back=None), BACK * 9, fault(), False, id="no-time-promised"),
        pytest.param(ack(), BACK, None, False, id="site-gone-or-fine"),
        pytest.param(ack(since=SINCE + 1e-4), BACK, fault(), True, id="since-through-json"),
    ],
)
def test_a_promise_is_followed_up_once_when_its_fault_outlives_it(
    given: FaultAckPublic, now: float, state: CameraFault | None, reminded: bool
) -> None:
    watch = RepairWatch()
    watch.acknowledged(given)
    found = watch.due(now, lambda _site: state)
    assert found == ([given] if reminded else [])
    if now >= BACK:  # settled either way: never again
        assert watch.due(now + 100, lambda _site: state) == []
        assert watch.next_due() is None


def test_the_latest_acknowledgement_of_a_site_replaces_the_earlier() -> None:
    watch = RepairWatch()
    watch.acknowledged(ack(back=BACK))
    watch.acknowledged(ack("wuyi", back=BACK + 50))
    assert watch.next_due() == BACK
    watch.acknowledged(ack(back=BACK + 100))  # rebooked
    assert watch.next_due() == BACK + 50
    down = {"pozi": fault(), "wuyi": fault()}
    assert [a.site_id for a in watch.due(BACK + 60, down.get)] == ["wuyi"]
    watch.acknowledged(ack(back=None))  # now until it recovers: nothing to follow up
    assert watch.next_due() is None
