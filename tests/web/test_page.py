"""The live page in a real Chromium, against the real server and monitor runtime.

The sites are fed by pushed synthetic frames (white squares a blob counter really
counts), so the test decides when a threshold is crossed; everything from the analysis
loop to the page (alert engine, store, bus, websocket, REST) is the real thing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from tests.support.auth import PASSWORD
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.live_demo import LiveDemo, live_demo

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BUSY = "wuyi-square"
DOWN = "pozi-street"
OPERATOR = "li.wei"
VIEWER = "zhao.min"

COUNT_LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [
        {"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2},
        {"name": "high", "color": "#f08c00", "enter": 6, "exit": 5},
    ],
}


def demo_config() -> AppConfig:
    roi = [[0, 0], [160, 0], [160, 120], [0, 120]]
    busy = minimal_site(analysis_fps=10, roi=roi, ground={"area_m2": 6})
    busy["thresholds"] = COUNT_LEVELS
    down = minimal_site(
        id=DOWN,
        name={"en": "Pozi Street", "zh": "坡子街"},
        location={"lat": 28.1925, "lon": 112.9730, "approximate": True},
        analysis_fps=10,
        roi=roi,
    )
    return AppConfig.model_validate(
        {"map": {"center": [28.1945, 112.975], "zoom": 15, "tile_url": ""}, "sites": [busy, down]}
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveDemo]:
    require_web_assets()
    users = {OPERATOR: Role.OPERATOR, VIEWER: Role.VIEWER}
    with live_demo(demo_config(), tmp_path, users, crowd_site=BUSY) as demo:
        yield demo


def has(locator: Any, attribute: str, value: str) -> None:
    expect(locator).to_have_attribute(attribute, value, timeout=WAIT_MS)


def open_page(page: Any, demo: LiveDemo, user: str = OPERATOR) -> None:
    """Opens the page and signs in through its login form, as a person would."""
    page.goto(demo.server.base_url + "/")
    sign_in(page, user)
    expect(by_test_id(page, "user-name")).to_have_text(user)
    has(by_test_id(page, "connection-status"), "data-state", "live")


def test_alert_arrives_live_and_is_acknowledged_from_the_page(page: Any, demo: LiveDemo) -> None:
    open_page(page, demo)

    # Both sites are on the map, in their level colour; the one with no camera is offline.
    busy_marker = by_test_id(page, f"site-marker-{BUSY}")
    expect(busy_marker).to_be_visible()
    expect(busy_marker).to_have_attribute("data-level", "normal")
    expect(by_test_id(page, f"site-marker-{DOWN}")).to_be_visible()
    demo.sources.by_site[DOWN].report("offline", "camera unreachable")
    has(by_test_id(page, f"site-marker-{DOWN}"), "data-status", "offline")
    expect(by_test_id(page, f"site-row-{DOWN}")).to_contain_text("Offline")

    # The crowd grows past the first level: the alert reaches the page over the websocket.
    demo.crowd.people = 4
    item = page.locator('[data-testid^="alert-item-"]')
    expect(item).to_have_count(1, timeout=WAIT_MS)
    alert_id = item.get_attribute("data-alert-id")
    assert alert_id
    expect(item).to_have_attribute("data-state", "open")
    expect(item).to_contain_text("Wuyi Square")
    expect(item).to_contain_text("Elevated")
    has(busy_marker, "data-level", "elevated")
    expect(busy_marker).to_have_attribute("data-color", "#f5c542")
    expect(by_test_id(page, "open-alert-count")).to_have_text("1")

    by_test_id(page, f"ack-note-{alert_id}").fill("patrol unit 3 on the way")
    by_test_id(page, f"ack-button-{alert_id}").click()

    has(item, "data-state", "acknowledged")
    expect(by_test_id(page, f"alert-state-{alert_id}")).to_have_text("Acknowledged")
    expect(item).to_contain_text(f"Acknowledged by {OPERATOR}")
    expect(item).to_contain_text("patrol unit 3 on the way")
    expect(by_test_id(page, f"ack-button-{alert_id}")).to_be_hidden()
    expect(by_test_id(page, "open-alert-count")).to_have_text("0")

    # The server recorded who acknowledged it (the logged-in user) and the note; the
    # page's session cookie authenticates this request too.
    response = page.request.get(demo.server.url(f"/api/alerts/{alert_id}"))
    assert response.ok, response.text()
    alert = response.json()["alert"]
    assert (alert["state"], alert["acknowledged_by"]) == ("acknowledged", OPERATOR)
    assert alert["acknowledge_note"] == "patrol unit 3 on the way"

    # A fresh page keeps the session and rebuilds the same state from the snapshot and
    # the alert history.
    page.reload()
    expect(by_test_id(page, "user-name")).to_have_text(OPERATOR, timeout=WAIT_MS)
    expect(by_test_id(page, "login")).to_be_hidden()
    has(by_test_id(page, "connection-status"), "data-state", "live")
    has(by_test_id(page, f"alert-item-{alert_id}"), "data-state", "acknowledged")
    expect(by_test_id(page, f"site-marker-{DOWN}")).to_have_attribute("data-status", "offline")


def test_selected_site_shows_numbers_frame_overlay_and_chart(page: Any, demo: LiveDemo) -> None:
    demo.crowd.people = 2
    open_page(page, demo)
    # The sites measure their crowd's motion (on by default): the legend explains both rings.
    expect(page.locator("#map-legend")).to_have_text(
        "NormalElevatedHighOfflineTurbulentTurbulence alert"
    )
    by_test_id(page, f"site-marker-{BUSY}").click()

    panel = by_test_id(page, "site-panel")
    expect(panel).to_have_attribute("data-site-id", BUSY)
    expect(by_test_id(page, "panel-name")).to_have_text("Wuyi Square")
    expect(panel).to_contain_text("五一广场")
    expect(by_test_id(page, "panel-status")).to_have_text("Online", timeout=WAIT_MS)
    expect(by_test_id(page, "stat-count")).to_have_text("2", timeout=WAIT_MS)

    # The frame comes from the snapshot endpoint; the density grid is drawn over it.
    image = by_test_id(page, "frame-image")
    expect(image).to_be_visible(timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=frame-image]').naturalWidth === 160",
        timeout=WAIT_MS,
    )
    painted = page.evaluate(
        """() => {
            const c = document.querySelector('[data-testid=frame-overlay]');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let hot = 0;  // heat cells: red-ish, unlike the light-blue ROI outline
            for (let i = 0; i < data.length; i += 4) {
                const [r, g, b, a] = data.slice(i, i + 4);
                if (a > 0 && r > 150 && g < 120 && b < 120) hot += 1;
            }
            return {width: c.width, height: c.height, hot};
        }"""
    )
    assert (painted["width"], painted["height"]) == (160, 120)
    assert painted["hot"] > 0

    by_test_id(page, "overlay-toggle").uncheck()
    expect(by_test_id(page, "frame-overlay")).to_be_hidden()
    by_test_id(page, "overlay-toggle").check()
    expect(by_test_id(page, "frame-overlay")).to_be_visible()

    # The chart loads history and keeps appending live readings.
    page.wait_for_function("() => window.crowdMonitor.chart.length >= 2", timeout=WAIT_MS)
    before = page.evaluate("() => window.crowdMonitor.chart.length")
    page.wait_for_function(f"() => window.crowdMonitor.chart.length > {before}", timeout=WAIT_MS)
    expect(by_test_id(page, "site-chart").locator("canvas")).to_have_count(1)

    # Live numbers follow the crowd.
    demo.crowd.people = 7
    expect(by_test_id(page, "stat-count")).to_have_text("7", timeout=WAIT_MS)
    expect(by_test_id(page, "panel-level")).to_have_text("High", timeout=WAIT_MS)


def test_acknowledge_refusals_are_shown_inline(page: Any, demo: LiveDemo) -> None:
    # A viewer sees the alert but may not acknowledge it: the server's reason is shown.
    open_page(page, demo, user=VIEWER)
    expect(by_test_id(page, "user-role")).to_have_text("viewer")
    demo.crowd.people = 4
    item = page.locator('[data-testid^="alert-item-"][data-state="open"]')
    expect(item).to_have_count(1, timeout=WAIT_MS)
    alert_id = item.get_attribute("data-alert-id")
    button = by_test_id(page, f"ack-button-{alert_id}")
    error = by_test_id(page, f"ack-error-{alert_id}")
    expect(button).to_have_class(re.compile(r"\bnot-allowed\b"))
    button.click()
    expect(error).to_be_visible(timeout=WAIT_MS)
    expect(error).to_contain_text("operator role")
    expect(item).to_have_attribute("data-state", "open")

    # Signed in as an operator, whose acknowledgement then loses a race: the API's
    # `detail` is shown next to the alert, which stays as the websocket last said.
    by_test_id(page, "logout-button").click()
    expect(by_test_id(page, "login")).to_be_visible(timeout=WAIT_MS)
    by_test_id(page, "login-name").fill(OPERATOR)
    by_test_id(page, "login-password").fill("wrong password")
    by_test_id(page, "login-submit").click()
    expect(by_test_id(page, "login-error")).to_be_visible(timeout=WAIT_MS)
    by_test_id(page, "login-password").fill(PASSWORD)
    by_test_id(page, "login-submit").click()
    expect(by_test_id(page, "user-name")).to_have_text(OPERATOR, timeout=WAIT_MS)
    page.route(
        f"**/api/alerts/{alert_id}/ack",
        lambda route: route.fulfill(
            status=409,
            content_type="application/json",
            body=json.dumps({"detail": f"alert {alert_id} is already acknowledged"}),
        ),
    )
    button = by_test_id(page, f"ack-button-{alert_id}")
    expect(button).not_to_have_class(re.compile(r"\bnot-allowed\b"), timeout=WAIT_MS)
    button.click()
    expect(by_test_id(page, f"ack-error-{alert_id}")).to_contain_text("is already acknowledged")
    has(by_test_id(page, f"alert-item-{alert_id}"), "data-state", "open")
