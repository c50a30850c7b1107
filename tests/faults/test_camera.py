"""The server's camera faults, by the same cases as the live page's (tests/web/test_faults.py)."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.bus.messages import FaultAckPublic, ReadingPayload, SitePublic, ThresholdsPublic
from monitor.faults.camera import (
    CameraFault,
    ack_in_force,
    ack_overdue,
    camera_fault,
    names_episode,
)
from tests.support.fault_cases import ACK_CASES, CASES, NOW, SITE


def site_public(fields: dict[str, Any]) -> SitePublic:
    """A whole site around the fields a case gives, as the websocket would send it."""
    latest = fields.get("latest")
    reading = None
    if latest is not None:
        quality = latest.get("image_quality")
        reading = ReadingPayload(
            seq=1,
            count=10.0,
            mean_density=0.5,
            peak_density=1.0,
            level="normal",
            grid=[],
            frame_width=640,
            frame_height=480,
            analysed_at=latest["analysed_at"],
            captured_at=latest["captured_at"],
            image_quality=None
            if quality is None
            else {"noise": 2.0, "detail": 0.9, "blocking": 1.1, "spread": 40.0} | quality,
        )
    return SitePublic.model_validate(
        {
            "lat": 28.19,
            "lon": 112.97,
            "name_zh": "",
            "location_approximate": False,
            "analysis_fps": 2.0,
            "roi": [],
            "level": "normal",
            "level_color": "#2f9e44",
            "thresholds": ThresholdsPublic(
                metric="peak_density", min_duration_s=0, cooldown_s=0, levels=[]
            ),
        }
        | fields
        | {"latest": reading}
    )


@pytest.mark.parametrize(("site", "expected"), CASES)
def test_each_kind_of_fault(site: dict[str, Any], expected: dict[str, Any] | None) -> None:
    found = camera_fault(site_public(SITE | site), NOW)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (found.kind, found.severity, found.since) == (
            expected["kind"],
            expected["severity"],
            expected["since"],
        )


def test_a_fault_says_why() -> None:
    down = camera_fault(
        site_public(SITE | {"status": "offline", "status_since": NOW, "status_reason": "gone"}),
        NOW,
    )
    assert down == CameraFault("offline", "bad", NOW, reason="gone")
    poor = camera_fault(site_public(SITE | {"latest": _reading(["detail_loss", "noise"])}), NOW)
    assert poor is not None
    assert poor.issues == ("detail_loss", "noise")


def _reading(issues: list[str]) -> dict[str, Any]:
    return {"analysed_at": NOW, "captured_at": NOW, "image_quality": {"issues": issues}}


def ack(since: float, expected_back: float | None = None) -> FaultAckPublic:
    return FaultAckPublic(
        site_id="s",
        kind="offline",
        since=since,
        at=20,
        by="li",
        note="",
        expected_back=expected_back,
    )


OFFLINE = CameraFault("offline", "bad", 10.0)


@pytest.mark.parametrize(("expected_back", "now", "state"), ACK_CASES)
def test_an_acknowledgement_lapses_when_the_camera_was_due_back(
    expected_back: float | None, now: float, state: str
) -> None:
    given, other = ack(10, expected_back), ack(5, expected_back)  # other: an earlier episode's
    assert ack_in_force(OFFLINE, given, now) == (state == "in force")
    assert ack_overdue(OFFLINE, given, now) == (state == "overdue")
    assert not ack_in_force(OFFLINE, other, now)
    assert not ack_overdue(OFFLINE, other, now)
    assert not ack_in_force(OFFLINE, None, now)


@pytest.mark.parametrize(
    ("fault", "acked", "named"),
    [
        pytest.param(OFFLINE, ack(10), True, id="same-kind-and-since"),
        pytest.param(OFFLINE, ack(10 + 1e-4), True, id="since-through-json"),
        pytest.param(OFFLINE, ack(11), False, id="a-later-episode"),
        pytest.param(CameraFault("stalled", "bad", 10.0), ack(10), False, id="another-kind"),
        pytest.param(CameraFault("offline", "bad", None), ack(10), False, id="no-since"),
    ],
)
def test_an_acknowledgement_names_one_episode(
    fault: CameraFault, acked: FaultAckPublic, named: bool
) -> None:
    assert names_episode(fault, acked) == named
