"""The response report page in Chromium, over alerts with a known response in a real store."""

from __future__ import annotations

import time
from typing import Any

import pytest

from monitor.auth.roles import Role
from tests.support.api_harness import Api, ApiFactory
from tests.support.browser import (
    WAIT_MS,
    by_test_id,
    pages_api,
    sign_in,
    sync_api,
)
from tests.support.stored_alerts import save_response_history

expect = sync_api().expect

OPERATOR, VIEWER = "li.operator", "zhao.viewer"


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    api = pages_api(make_api, {OPERATOR: Role.OPERATOR, VIEWER: Role.VIEWER})
    save_response_history(api.store, time.time())
    return api


def test_an_operator_reads_the_response_to_the_last_day(page: Any, api: Api) -> None:
    page.goto(api.server.url("/"))
    sign_in(page, OPERATOR)
    by_test_id(page, "report-link").click()
    expect(by_test_id(page, "report-sites")).to_have_attribute(
        "data-state", "ready", timeout=WAIT_MS
    )
    total = by_test_id(page, "report-total")
    expect(total.locator('[data-testid="report-alerts"]')).to_have_text("3")
    # Acknowledged in 20 s and 120 s: median 70 s, 90th percentile and longest 2 min.
    expect(total.locator('[data-testid="report-acknowledge"]')).to_have_text(
        "1 min 10 s / 2 min / 2 min"
    )
    expect(total.locator('[data-testid="report-in-tier"]')).to_have_text("1 of 2 (1 late)")
    gate_b = page.locator('[data-testid="report-site"][data-site-id="gate-b"]')
    expect(gate_b.locator('[data-testid="report-alerts"]')).to_have_text("1")

    one_minute = page.locator('[data-testid="report-tier"][data-tier="1"]')
    expect(one_minute).to_contain_text("1 min")
    late = page.locator('[data-testid="report-late-row"]')
    expect(late).to_have_count(1)
    expect(late).to_have_attribute("data-alert-id", "a2")
    expect(late).to_contain_text("Wuyi 1 min")
    expect(late).to_contain_text("1 min 35 s (35 s over)")
    assert "replay.html?site=gate-a" in (late.locator("a").get_attribute("href") or "")

    # A week takes in a4, raised two days ago.
    by_test_id(page, "health-span-168").click()
    expect(total.locator('[data-testid="report-alerts"]')).to_have_text("4", timeout=WAIT_MS)
    csv_link = by_test_id(page, "report-csv")
    response = page.request.get(api.server.url(csv_link.get_attribute("href") or ""))
    assert response.ok
    assert response.text().count("\n") == 5  # header and four alerts


def test_a_viewer_has_no_link_and_is_refused(page: Any, api: Api) -> None:
    page.goto(api.server.url("/"))
    sign_in(page, VIEWER)
    expect(by_test_id(page, "user-name")).to_have_text(VIEWER, timeout=WAIT_MS)
    expect(by_test_id(page, "report-link")).to_be_hidden()
    page.goto(api.server.url("/report.html"))
    expect(by_test_id(page, "report-error")).to_contain_text(
        "needs the operator role", timeout=WAIT_MS
    )
