"""The alert response in a real Chromium: overdue alarm, acknowledge, dispatch, arrival,
resolution with the timers; the admin pages (users, audit log). Real server and runtime,
synthetic crowds (see test_page.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.live_demo import LiveDemo, live_demo

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "wuyi-square"
OPERATOR, VIEWER, ADMIN = "li.wei", "zhao.min", "chief"


def config() -> AppConfig:
    site = minimal_site(analysis_fps=5, roi=[[0, 0], [160, 0], [160, 120], [0, 120]])
    site["thresholds"] = {
        "metric": "count",
        "min_duration_s": 0,
        "cooldown_s": 0,
        "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2}],
    }
    platform = {"lat": 28.1952, "lon": 112.9775}
    return AppConfig.model_validate(
        {
            "map": {"center": [28.1955, 112.9765], "zoom": 15, "tile_url": ""},
            "sites": [site],
            "platforms": [
                {
                    "id": "wuyi-1min",
                    "name": "Wuyi platform",
                    "tier_minutes": 1,
                    "location": platform,
                },
                {
                    "id": "furong-5min",
                    "name": "Furong station",
                    "tier_minutes": 5,
                    "location": {"lat": 28.1985, "lon": 112.984},
                },
            ],
            # Short, so the test sees the alarm; the demo uses a minute.
            "alerts": {"escalate_unacknowledged_after_s": 1.5},
        }
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveDemo]:
    require_web_assets()
    users = {OPERATOR: Role.OPERATOR, VIEWER: Role.VIEWER, ADMIN: Role.ADMIN}
    with live_demo(config(), tmp_path, users, crowd_site=SITE) as demo:
        yield demo


def open_page(page: Any, demo: LiveDemo, user: str) -> None:
    """Opens the live page, signs in as `user` and waits for the live connection."""
    page.goto(demo.server.base_url + "/")
    sign_in(page, user)
    expect(by_test_id(page, "user-name")).to_have_text(user, timeout=WAIT_MS)
    expect(by_test_id(page, "connection-status")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )


def test_full_response_with_alarm_and_timers(new_page: Any, demo: LiveDemo) -> None:
    page = new_page()
    open_page(page, demo, OPERATOR)
    viewer = new_page()
    open_page(viewer, demo, VIEWER)
    # The response platforms are on the map.
    expect(by_test_id(page, "platform-marker-wuyi-1min")).to_be_visible(timeout=WAIT_MS)
    expect(by_test_id(page, "platform-marker-furong-5min")).to_have_attribute("data-tier", "5")

    demo.crowd.people = 4
    item = page.locator('[data-testid^="alert-item-"]')
    expect(item).to_have_count(1, timeout=WAIT_MS)
    alert_id = item.get_attribute("data-alert-id")
    assert alert_id

    # Nobody acknowledges it in time: every page highlights it and sounds the alarm.
    for each in (page, viewer):
        expect(each.locator("body")).to_have_attribute("data-alarm", "on", timeout=WAIT_MS)
        expect(by_test_id(each, f"alert-item-{alert_id}")).to_have_class(
            re.compile(r"\boverdue\b"), timeout=WAIT_MS
        )
        expect(by_test_id(each, "alarm-banner")).to_be_visible()
    assert int(page.locator("body").get_attribute("data-beeps") or 0) >= 1
    expect(by_test_id(page, f"timer-ack-{alert_id}")).to_have_attribute("data-over", "true")
    # A viewer sees the alert and its timers, but no response controls.
    expect(by_test_id(viewer, f"dispatch-button-{alert_id}")).to_be_hidden()

    by_test_id(page, f"ack-note-{alert_id}").fill("camera 3 shows a queue")
    by_test_id(page, f"ack-button-{alert_id}").click()
    expect(item).to_have_attribute("data-state", "acknowledged", timeout=WAIT_MS)
    expect(page.locator("body")).to_have_attribute("data-alarm", "off", timeout=WAIT_MS)
    expect(viewer.locator("body")).to_have_attribute("data-alarm", "off", timeout=WAIT_MS)

    # The nearest platform is offered first, with its distance, and already chosen.
    choice = by_test_id(page, f"dispatch-platform-{alert_id}")
    expect(choice.locator("option").first).to_have_text(
        re.compile(r"^Wuyi platform · 1 min · \d+ m$")
    )
    expect(choice.locator("option").nth(1)).to_have_text(
        re.compile(r"^Furong station · 5 min · \d+ m$")
    )
    expect(choice).to_have_value("wuyi-1min")
    by_test_id(page, f"dispatch-button-{alert_id}").click()
    expect(item).to_have_attribute("data-state", "dispatched", timeout=WAIT_MS)
    arrival = by_test_id(page, f"timer-arrival-{alert_id}")
    expect(arrival).to_have_attribute("data-running", "true")
    expect(arrival).to_contain_text("/ 1:00")  # the 1 minute platform's target
    expect(arrival).to_contain_text("En route 0:0")
    expect(by_test_id(viewer, f"alert-item-{alert_id}")).to_contain_text("Dispatched Wuyi platform")

    by_test_id(page, f"arrive-button-{alert_id}").click()
    expect(item).to_have_attribute("data-state", "arrived", timeout=WAIT_MS)
    expect(arrival).to_have_attribute("data-running", "false")
    expect(arrival).to_have_attribute("data-over", "false")  # within the 1 minute target
    expect(arrival).to_contain_text("Arrived after 0:0")

    # Still crowded: the server refuses to resolve, and the page says why.
    by_test_id(page, f"resolve-outcome-{alert_id}").fill("queue managed")
    by_test_id(page, f"resolve-button-{alert_id}").click()
    expect(by_test_id(page, f"response-error-{alert_id}")).to_contain_text(
        "once the crowd has cleared"
    )

    demo.crowd.people = 0
    expect(item).to_contain_text("Crowd back to normal", timeout=WAIT_MS)
    by_test_id(page, f"resolve-button-{alert_id}").click()
    expect(item).to_have_attribute("data-state", "resolved", timeout=WAIT_MS)
    expect(item).to_contain_text(f"Resolved by {OPERATOR}")
    expect(item).to_contain_text("queue managed")
    expect(by_test_id(viewer, f"alert-item-{alert_id}")).to_have_attribute(
        "data-state", "resolved", timeout=WAIT_MS
    )

    # An admin finds every step in the audit log page.
    admin = new_page()
    open_page(admin, demo, ADMIN)
    admin.goto(demo.server.base_url + "/audit.html")
    by_test_id(admin, "audit-action").fill("alert.")
    by_test_id(admin, "audit-apply").click()
    rows = admin.locator('[data-testid="audit-row"]')
    expect(rows).to_have_count(4, timeout=WAIT_MS)
    assert [rows.nth(i).get_attribute("data-action") for i in range(4)] == [
        "alert.resolved",
        "alert.arrived",
        "alert.dispatched",
        "alert.acknowledged",
    ]
    assert {rows.nth(i).get_attribute("data-actor") for i in range(4)} == {OPERATOR}
    csv = admin.request.get(demo.server.url("/api/audit.csv?action=alert."))
    assert csv.ok
    assert csv.text().count("\n") == 5  # header and four rows


def test_admin_adds_a_user_and_others_cannot_open_the_admin_pages(
    new_page: Any, demo: LiveDemo
) -> None:
    admin = new_page()
    open_page(admin, demo, ADMIN)
    admin.goto(demo.server.base_url + "/users.html")
    by_test_id(admin, "add-user-name").fill("wang.fang")
    by_test_id(admin, "add-user-role").select_option("supervisor")
    by_test_id(admin, "add-user-password").fill("a long enough one")
    by_test_id(admin, "add-user-submit").click()
    expect(by_test_id(admin, "user-row-wang.fang")).to_be_visible(timeout=WAIT_MS)
    expect(by_test_id(admin, "user-role-wang.fang")).to_have_value("supervisor")
    by_test_id(admin, "user-token-wang.fang").click()
    expect(by_test_id(admin, "issued-token")).to_contain_text("API token for wang.fang")

    operator = new_page()
    open_page(operator, demo, OPERATOR)
    operator.goto(demo.server.base_url + "/audit.html")
    expect(by_test_id(operator, "admin-banner")).to_contain_text("Only admins", timeout=WAIT_MS)
    expect(operator.locator('[data-testid="audit-row"]')).to_have_count(0)


def test_platforms_are_offered_nearest_first_and_busy_ones_marked(
    new_page: Any, demo: LiveDemo
) -> None:
    page = new_page()
    open_page(page, demo, OPERATOR)
    found = page.evaluate(
        """async () => {
            const { fmtDistance, platformChoices, suggested } = await import(
                '/js/response/choose.js'
            );
            const platforms = [
                { id: 'far', lat: 28.2100, lon: 112.9768 },    // about 1.6 km north
                { id: 'near', lat: 28.1965, lon: 112.9768 },   // about 55 m north
                { id: 'mid', lat: 28.1990, lon: 112.9768 },    // about 330 m north
            ];
            const site = { lat: 28.1960, lon: 112.9768 };
            const alert = { id: 'a1' };
            const out = (id, state) => ({ id, state, platform_id: 'near', site_id: 'x' });
            const pick = (alerts) => {
                const choices = platformChoices(platforms, alert, site, alerts);
                return [
                    choices.map((c) => [
                        c.platform.id, Math.round(c.distanceM), c.busyWith?.id ?? null,
                    ]),
                    suggested(choices),
                ];
            };
            return {
                free: pick([]),
                busy: pick([out('a2', 'dispatched')]),
                arrived: pick([out('a2', 'arrived')]),
                resolved: pick([out('a2', 'resolved')]),
                itself: pick([out('a1', 'dispatched')]),
                nowhere: platformChoices(platforms, alert, null, []).map((c) => c.platform.id),
                labels: [56, 334, 1557].map(fmtDistance),
            };
        }"""
    )
    order = [["near", 56, None], ["mid", 334, None], ["far", 1557, None]]
    busy = [["near", 56, "a2"], ["mid", 334, None], ["far", 1557, None]]
    assert found["free"] == [order, "near"]
    assert found["busy"] == [busy, "mid"]  # out at another alert: the next one is suggested
    assert found["arrived"] == [busy, "mid"]
    assert found["resolved"] == [order, "near"]  # back from it
    assert found["itself"] == [order, "near"]  # this alert's own platform is not busy for it
    assert found["nowhere"] == ["far", "near", "mid"]  # no place: config order
    assert found["labels"] == ["60 m", "330 m", "1.6 km"]
