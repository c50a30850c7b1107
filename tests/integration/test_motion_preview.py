"""POST /api/sites/{id}/motion/preview: the turbulence alerts a proposed motion section would
have raised over the site's stored crowd pressures, beside those the section in force would
have: the real application and server (tests/integration/test_site_setup_api.py's), readings
written to its real store for its camera that never connects, so only they are replayed."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest

from monitor.motion.measure import Motion
from tests.integration.test_site_setup_api import Running, clip, live
from tests.support.fake_monitor import stored_reading

__all__ = ["clip", "live"]  # the fixtures, bound here for pytest to find them

SITE = "pozi-street"  # its camera never connects: no readings but these
URL = f"/api/sites/{SITE}/motion/preview"

pytestmark = pytest.mark.slow


def store_a_push(live: Running) -> float:
    """Two minutes ago: 30 s at 0.05/s², then 30 s calm, a reading a second."""
    start = time.time() - 120
    readings = []
    for k in range(60):
        pressure = 0.05 if k < 30 else 0.001
        motion = Motion(speed_m_s=0.8, pressure=pressure, turbulent=pressure >= 0.02)
        reading = stored_reading(SITE, k + 1, start + k, 1.0)
        readings.append(dataclasses.replace(reading, motion=motion))
    store = live.application.store
    assert store is not None
    store.add_readings(readings)
    return start


def preview(live: Running, **motion: Any) -> dict[str, Any]:
    response = live.supervisor.post(URL, json={"motion": motion, "window_s": 600})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_section_in_force_and_the_same_proposed_see_one_alert(live: Running) -> None:
    start = store_a_push(live)
    body = preview(live)
    assert body["metric"] == "crowd_pressure"
    assert len(body["values"]) == 60
    for side in ("proposed", "current"):
        [alert] = body[side]["alerts"]
        # Raised once the 10 s hold has passed, cleared 10 s into the calm.
        assert alert["raised_at"] == pytest.approx(start + 10)
        assert alert["cleared_at"] == pytest.approx(start + 40)
        assert (alert["raised_level"], alert["peak_value"]) == ("turbulent", 0.05)


@pytest.mark.parametrize(
    ("motion", "raised"),
    [
        pytest.param({"alert_hold_s": 5}, 1, id="a shorter hold still raises it"),
        pytest.param({"alert_hold_s": 40}, 0, id="a hold longer than the push"),
        pytest.param({"pressure_limit": 0.06}, 0, id="a limit above the push"),
        pytest.param({"alert": False}, 0, id="alerts off"),
    ],
)
def test_a_proposed_section_changes_what_would_have_been_raised(
    live: Running, motion: dict[str, Any], raised: int
) -> None:
    store_a_push(live)
    body = preview(live, **motion)
    assert body["proposed"]["raised"] == raised
    assert body["current"]["raised"] == 1


def test_a_shorter_hold_raises_sooner(live: Running) -> None:
    start = store_a_push(live)
    [alert] = preview(live, alert_hold_s=5)["proposed"]["alerts"]
    assert alert["raised_at"] == pytest.approx(start + 5)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"motion": {"alert_hold_s": 601}}, "alert_hold_s", id="hold too long"),
        pytest.param({"motion": {"colour": "red"}}, "colour", id="unknown field"),
        pytest.param({"motion": {}, "window_s": 10}, "window_s", id="window too short"),
    ],
)
def test_a_bad_proposal_is_a_422_naming_the_field(
    live: Running, body: dict[str, Any], field: str
) -> None:
    response = live.supervisor.post(URL, json=body)
    assert response.status_code == 422
    assert field in response.text


def test_an_unknown_site_is_a_404(live: Running) -> None:
    response = live.supervisor.post("/api/sites/nowhere/motion/preview", json={"motion": {}})
    assert response.status_code == 404


def test_a_viewer_may_not_preview(live: Running) -> None:
    assert live.viewer.post(URL, json={"motion": {}}).status_code == 403
