"""The webhooks page in Chromium, on the real application with a real receiver behind it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.bus.messages import MessageType
from tests.notify.builders import alert_payload
from tests.support.auth import add_user
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.notify_app import NotifyApp, notify_app

expect = sync_api().expect

SUPERVISOR, OPERATOR = "chen.supervisor", "li.operator"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[NotifyApp]:
    require_web_assets()
    with notify_app(tmp_path) as harness:
        assert harness.application.auth is not None
        add_user(harness.application.auth, SUPERVISOR, Role.SUPERVISOR)
        add_user(harness.application.auth, OPERATOR, Role.OPERATOR)
        yield harness


def signed_in(page: Any, app: NotifyApp, user: str) -> None:
    page.goto(app.server.base_url + "/")
    sign_in(page, user)
    expect(by_test_id(page, "user-name")).to_have_text(user, timeout=WAIT_MS)


def test_a_supervisor_tests_an_endpoint_and_retries_what_it_refused(
    page: Any, app: NotifyApp
) -> None:
    signed_in(page, app, SUPERVISOR)
    by_test_id(page, "webhooks-link").click()
    row = page.locator('[data-testid="webhook-row"][data-name="desk"]')
    expect(row).to_be_visible(timeout=WAIT_MS)
    expect(row.locator('[data-testid="webhook-health"]')).to_have_text("OK")

    row.locator('[data-testid="webhook-test"]').click()
    expect(by_test_id(page, "admin-banner")).to_have_text(
        "Test message delivered to desk (HTTP 200).", timeout=WAIT_MS
    )
    test_row = page.locator('[data-testid="delivery-row"][data-kind="test"]')
    expect(test_row).to_have_attribute("data-state", "delivered", timeout=WAIT_MS)
    assert app.receiver.wait_for(1)[0].json["type"] == "test"

    # The desk's receiver refuses an alert: the log shows why, and a retry sends it again.
    app.receiver.answer(422)
    app.application.bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
    raised = page.locator('[data-testid="delivery-row"][data-kind="raised"]')
    expect(raised).to_have_attribute("data-state", "failed", timeout=WAIT_MS)
    expect(raised).to_contain_text("HTTP 422: refused with 422")
    expect(raised).to_contain_text("Wuyi Square: alert raised")
    raised.locator("summary").click()
    expect(raised.locator('[data-testid="delivery-body"]')).to_contain_text('"type": "raised"')
    expect(row.locator('[data-testid="webhook-queue"]')).to_contain_text("1 failed")
    raised.locator('[data-testid="delivery-retry"]').click()
    expect(raised).to_have_attribute("data-state", "delivered", timeout=WAIT_MS)
    assert app.receiver.wait_for(3)[2].json["type"] == "raised"

    # The filter narrows the log to one state.
    by_test_id(page, "delivery-state").select_option("failed")
    expect(page.locator('[data-testid="delivery-row"]')).to_have_count(0, timeout=WAIT_MS)
    expect(by_test_id(page, "deliveries-empty")).to_be_visible()


def test_an_operator_has_no_link_and_no_access(page: Any, app: NotifyApp) -> None:
    signed_in(page, app, OPERATOR)
    expect(by_test_id(page, "webhooks-link")).to_be_hidden()
    page.goto(app.server.base_url + "/notifications.html")
    expect(by_test_id(page, "admin-banner")).to_contain_text(
        "Only supervisors and admins", timeout=WAIT_MS
    )
    expect(page.locator('[data-testid="webhook-row"]')).to_have_count(0)


def test_the_live_page_shows_a_webhook_that_stops_answering_until_it_answers(
    page: Any, app: NotifyApp
) -> None:
    signed_in(page, app, OPERATOR)
    faults = by_test_id(page, "webhook-fault-list")
    expect(faults).to_be_hidden()
    # Down for two attempts (2 s, then 4 s of backoff), then back.
    app.receiver.answer(503, 503)
    app.application.bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
    fault = by_test_id(page, "webhook-fault-desk")
    expect(fault).to_be_visible(timeout=WAIT_MS)
    expect(fault).to_have_attribute("data-problem", "not_answering")
    expect(fault).to_contain_text("Webhook desk not answering: alerts wait")
    expect(fault).to_be_hidden(timeout=WAIT_MS)
    expect(faults).to_be_hidden()
    assert [r.status for r in app.receiver.wait_for(3)] == [503, 503, 200]


def test_a_page_opened_while_a_webhook_is_down_shows_it(page: Any, app: NotifyApp) -> None:
    app.receiver.answer(*[503] * 50)
    app.application.bus.publish(MessageType.ALERT, "wuyi-square", alert_payload())
    app.receiver.wait_for(1)
    signed_in(page, app, OPERATOR)
    expect(by_test_id(page, "webhook-fault-desk")).to_have_attribute(
        "data-problem", "not_answering", timeout=WAIT_MS
    )


def test_an_alert_card_says_whether_the_desk_was_told(new_page: Any, app: NotifyApp) -> None:
    page = new_page()
    signed_in(page, app, OPERATOR)
    app.receiver.answer(200, 422)  # the raise is taken, the clearing refused
    app.crowd.people = 6
    card = page.locator('[data-testid^="alert-item-"]').first
    expect(card).to_contain_text("Told desk (raised) at ", timeout=WAIT_MS)
    app.crowd.people = 0
    expect(card).to_contain_text(
        "Could not tell desk (cleared): HTTP 422: refused with 422", timeout=WAIT_MS
    )
    # A page opened now knows it too (the snapshot).
    fresh = new_page()
    signed_in(fresh, app, OPERATOR)
    expect(fresh.locator('[data-testid^="alert-item-"]').first).to_contain_text(
        "Could not tell desk (cleared)", timeout=WAIT_MS
    )
