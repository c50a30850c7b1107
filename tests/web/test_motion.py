"""How a site's crowd moves, on the live page: the site panel's motion line and the site
list's turbulence flag, in a real Chromium against the real server.

The in-test monitor publishes readings with the motion a test chooses (tests/motion and the
pipeline tests cover how it is measured).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.bus.messages import MessageType, SiteStatusPayload
from monitor.motion.measure import Motion
from tests.support.api_harness import Api, ApiFactory
from tests.support.browser import (
    WAIT_MS,
    by_test_id,
    open_signed_in,
    pages_api,
    sign_in,
    sync_api,
)

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "gate-a"
OTHER = "gate-b"
VIEWER = "zhao.min"
OPERATOR = "li.wei"


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return pages_api(make_api, {VIEWER: Role.VIEWER, OPERATOR: Role.OPERATOR})


@dataclass(frozen=True)
class Case:
    name: str
    motion: Motion
    panel: str
    title: str  # a phrase of the panel line's tooltip
    turbulent: bool


CASES = [
    Case(
        "a calm crowd walking",
        Motion(speed_m_s=0.84, pressure=0.0042, turbulent=False),
        "Moving 0.8 m/s · pressure 0.0042/s²",
        "move at 0.8 m/s on average",
        False,
    ),
    Case(
        "a standing crowd",
        Motion(speed_m_s=0.0, pressure=0.0, turbulent=False),
        "Moving 0.0 m/s · pressure 0/s²",
        "pressure 0/s²",
        False,
    ),
    Case(
        "a dense crowd pushed about",
        Motion(speed_m_s=1.23, pressure=0.031, turbulent=True),
        "Crowd turbulence: pressure 0.031/s² · moving 1.2 m/s",
        "the step before a crush",
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_readings_motion_shows_in_the_panel_and_turbulence_in_the_list(
    page: Any, api: Api, case: Case
) -> None:
    open_signed_in(page, api, VIEWER, SITE)
    api.monitor.observe(SITE, 1, time.time(), 3.0, motion=case.motion)

    line = by_test_id(page, "panel-motion")
    expect(line).to_have_text(case.panel, timeout=WAIT_MS)
    expect(line).to_be_visible()
    expect(line).to_have_attribute("data-turbulent", str(case.turbulent).lower())
    assert case.title in (line.get_attribute("title") or "")
    flag = by_test_id(page, f"site-turbulent-{SITE}")
    marker = by_test_id(page, f"site-marker-{SITE}")
    expect(marker).to_have_attribute("data-turbulent", str(case.turbulent).lower())
    if case.turbulent:
        expect(flag).to_be_visible()
        expect(flag).to_have_text("≋ turbulent")
        expect(line).to_have_css("font-weight", "700")
        expect(marker).to_have_css("stroke-dasharray", "4px, 3px")
    else:
        expect(flag).to_be_hidden()
    # The other site has no motion: nothing is flagged.
    expect(by_test_id(page, f"site-turbulent-{OTHER}")).to_be_hidden()


def test_a_reading_without_motion_clears_it(page: Any, api: Api) -> None:
    open_signed_in(page, api, VIEWER, SITE)
    seqs = itertools.count(1)
    turbulent = Motion(speed_m_s=1.2, pressure=0.05, turbulent=True)
    api.monitor.observe(SITE, next(seqs), time.time(), 3.0, motion=turbulent)
    line, flag = by_test_id(page, "panel-motion"), by_test_id(page, f"site-turbulent-{SITE}")
    expect(flag).to_be_visible(timeout=WAIT_MS)

    # The first frame after a gap has no motion: the last one no longer holds.
    api.monitor.observe(SITE, next(seqs), time.time(), 3.0, motion=None)
    expect(line).to_be_hidden(timeout=WAIT_MS)
    expect(flag).to_be_hidden()


def test_stale_or_offline_motion_goes_without_a_new_reading(page: Any, api: Api) -> None:
    open_signed_in(page, api, VIEWER, SITE)
    turbulent = Motion(speed_m_s=1.2, pressure=0.05, turbulent=True)
    at = time.time() - 10.0  # stale 5 s from now (STALE_READING_S in web/js/util.js)
    api.monitor.observe(SITE, 1, at, 3.0, motion=turbulent)
    line, flag = by_test_id(page, "panel-motion"), by_test_id(page, f"site-turbulent-{SITE}")
    expect(flag).to_be_visible(timeout=WAIT_MS)
    marker = by_test_id(page, f"site-marker-{SITE}")
    expect(marker).to_have_attribute("data-turbulent", "true")
    expect(line).to_be_hidden(timeout=WAIT_MS)
    expect(flag).to_be_hidden()
    expect(marker).to_have_attribute("data-turbulent", "false", timeout=WAIT_MS)
    assert time.time() - at >= 15.0

    # Turbulent at both readings, 15 s and more apart: longer than the 10 s hold, so this one
    # also raises a turbulence alert.
    api.monitor.observe(SITE, 2, time.time(), 3.0, motion=turbulent)
    expect(flag).to_be_visible(timeout=WAIT_MS)
    expect(flag).to_have_attribute("data-alert", "true")
    offline = SiteStatusPayload(status="offline", reason="no frames for 30 s")
    api.bus.publish(MessageType.SITE_STATUS, SITE, offline)
    expect(line).to_be_hidden(timeout=WAIT_MS)
    # The live motion goes; the alert, not over while nobody can see the crowd, stays.
    expect(flag).to_have_attribute("title", "A turbulence alert is open: see the alert feed")
    expect(flag).to_have_text("≋ turbulence alert")


def test_the_camera_wall_flags_a_turbulent_crowd(page: Any, api: Api) -> None:
    page.goto(api.server.url("/wall.html"))
    sign_in(page, VIEWER)
    flag = by_test_id(page, f"wall-turbulent-{SITE}")
    expect(by_test_id(page, f"wall-tile-{SITE}")).to_be_visible(timeout=WAIT_MS)
    calm = Motion(speed_m_s=0.5, pressure=0.004, turbulent=False)
    api.monitor.observe(SITE, 1, time.time(), 3.0, motion=calm)  # 3/m²: 30 people
    expect(by_test_id(page, f"wall-count-{SITE}")).to_have_text("30 people", timeout=WAIT_MS)
    expect(flag).to_be_hidden()

    turbulent = Motion(speed_m_s=1.1, pressure=0.04, turbulent=True)
    api.monitor.observe(SITE, 2, time.time(), 3.0, motion=turbulent)
    expect(flag).to_be_visible(timeout=WAIT_MS)
    expect(flag).to_have_text("≋ turbulent")
    expect(by_test_id(page, f"wall-turbulent-{OTHER}")).to_be_hidden()


def test_a_lasting_turbulence_is_an_alert_in_the_feed_taken_in_hand_like_any(
    page: Any, api: Api
) -> None:
    open_signed_in(page, api, OPERATOR, SITE)
    now = time.time()
    turbulent = Motion(speed_m_s=1.1, pressure=0.05, turbulent=True)
    # Turbulent for the default 10 s hold: raised on the second reading. 1/m² is no density
    # alert, so the turbulence alert is the only one.
    api.monitor.observe(SITE, 1, now - 12.0, 1.0, motion=turbulent)
    api.monitor.observe(SITE, 2, now - 1.0, 1.0, motion=turbulent)

    item = page.locator('[data-testid^="alert-item-"]')
    expect(item).to_have_count(1, timeout=WAIT_MS)
    alert_id = item.get_attribute("data-alert-id")
    assert alert_id
    expect(item).to_have_attribute("data-metric", "crowd_pressure")
    expect(item).to_contain_text("Turbulent")
    expect(item).to_contain_text("Peak 0.050/s² crowd pressure")
    # In the red turbulence is drawn in, not a density level's colour.
    expect(item).to_have_css("--lvl", "#ef4444")
    expect(by_test_id(page, "open-alert-count")).to_have_text("1")
    marker, flag = (
        by_test_id(page, f"site-marker-{SITE}"),
        by_test_id(page, f"site-turbulent-{SITE}"),
    )
    # The map rings the marker in solid red, and the list says it is an alert, not a moment.
    expect(marker).to_have_attribute("data-turbulence-alert", "true")
    expect(marker).to_have_css("stroke", "rgb(239, 68, 68)")
    expect(marker).to_have_css("stroke-dasharray", "none")
    expect(flag).to_have_text("≋ turbulence alert")
    expect(flag).to_have_attribute("data-alert", "true")
    expect(by_test_id(page, f"site-marker-{OTHER}")).to_have_attribute(
        "data-turbulence-alert", "false"
    )

    by_test_id(page, f"ack-button-{alert_id}").click()
    expect(by_test_id(page, f"alert-state-{alert_id}")).to_have_text(
        "Acknowledged", timeout=WAIT_MS
    )
    # Taken in hand is not over: the ring stays while the crowd is still pushed about.
    expect(marker).to_have_attribute("data-turbulence-alert", "true")
    expect(flag).to_have_text("≋ turbulence alert")
    calm = Motion(speed_m_s=0.4, pressure=0.001, turbulent=False)
    api.monitor.observe(SITE, 3, now, 1.0, motion=calm)
    api.monitor.observe(SITE, 4, now + 11.0, 1.0, motion=calm)
    expect(item).to_contain_text("Crowd calm again at", timeout=WAIT_MS)
    expect(marker).to_have_attribute("data-turbulence-alert", "false")
    expect(flag).to_be_hidden()


def test_the_camera_wall_frames_a_site_with_a_turbulence_alert_in_red_and_first(
    page: Any, api: Api
) -> None:
    page.goto(api.server.url("/wall.html"))
    sign_in(page, VIEWER)
    tile = by_test_id(page, f"wall-tile-{OTHER}")
    expect(tile).to_be_visible(timeout=WAIT_MS)
    tiles = page.locator('[data-testid^="wall-tile-"]')
    expect(tiles.first).to_have_attribute("data-site-id", SITE)  # by name while all are calm
    now = time.time()
    turbulent = Motion(speed_m_s=1.1, pressure=0.05, turbulent=True)
    api.monitor.observe(OTHER, 1, now - 12.0, 1.0, motion=turbulent)
    api.monitor.observe(OTHER, 2, now - 1.0, 1.0, motion=turbulent)
    expect(tile).to_have_attribute("data-alerting", "true", timeout=WAIT_MS)
    expect(tile).to_have_css("--tile-level", "#ef4444")
    expect(tiles.first).to_have_attribute("data-site-id", OTHER)
    expect(by_test_id(page, f"wall-tile-{SITE}")).to_have_attribute("data-alerting", "false")
