"""The live page's site list, in a real Chromium against the real server: listed as set up,
or most urgent first when the operator asks, and kept so after a reload.

The in-test monitor's two sites, gate-a then gate-b, take the readings a test gives them
(tests/support/fake_monitor.py: elevated from 2/m², critical from 4/m²).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.bus.messages import MessageType, SiteStatusPayload
from monitor.motion.measure import Motion
from tests.support.api_harness import Api, ApiFactory
from tests.support.browser import WAIT_MS, by_test_id, open_signed_in, pages_api, sync_api

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST, SECOND = "gate-a", "gate-b"
VIEWER = "zhao.min"


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return pages_api(make_api, {VIEWER: Role.VIEWER})


def listed(page: Any) -> list[str]:
    ids: list[str] = page.eval_on_selector_all(
        '[data-testid="site-list"] > li', "rows => rows.map(r => r.dataset.siteId)"
    )
    return ids


def expect_listed(page: Any, ids: list[str]) -> None:
    page.wait_for_function(
        """(want) => JSON.stringify([...document.querySelectorAll('[data-testid="site-list"] > li')]
            .map((r) => r.dataset.siteId)) === JSON.stringify(want)""",
        arg=ids,
        timeout=WAIT_MS,
    )


def test_most_urgent_first_puts_the_alerting_site_on_top_and_holds_after_a_reload(
    page: Any, api: Api
) -> None:
    open_signed_in(page, api, VIEWER, FIRST)
    picker = by_test_id(page, "site-order")
    expect(picker).to_have_value("setup")
    api.monitor.observe(SECOND, 1, time.time(), 4.5)  # critical
    expect(by_test_id(page, f"site-row-{SECOND}")).to_have_attribute(
        "data-level", "critical", timeout=WAIT_MS
    )
    assert listed(page) == [FIRST, SECOND]  # as set up: the alert moves nothing

    picker.select_option("urgency")
    expect_listed(page, [SECOND, FIRST])
    expect(by_test_id(page, "site-list")).to_have_attribute("data-order", "urgency")

    page.reload()
    expect(by_test_id(page, "site-order")).to_have_value("urgency", timeout=WAIT_MS)
    expect_listed(page, [SECOND, FIRST])

    # The other site's crowd turbulent long enough for an alert: above any density level.
    now = time.time()
    turbulent = Motion(speed_m_s=1.1, pressure=0.05, turbulent=True)
    api.monitor.observe(FIRST, 1, now - 12.0, 1.0, motion=turbulent)
    api.monitor.observe(FIRST, 2, now - 1.0, 1.0, motion=turbulent)
    expect(by_test_id(page, f"site-turbulent-{FIRST}")).to_have_attribute(
        "data-alert", "true", timeout=WAIT_MS
    )
    expect_listed(page, [FIRST, SECOND])

    by_test_id(page, "site-order").select_option("setup")
    expect_listed(page, [FIRST, SECOND])
    expect(by_test_id(page, "site-list")).to_have_attribute("data-order", "setup")


def test_a_site_without_a_picture_comes_before_a_calm_one(page: Any, api: Api) -> None:
    # Read before the page opens: its snapshot has both online (a site still starting has
    # not given a picture yet either).
    api.monitor.observe(FIRST, 1, time.time(), 0.5)
    api.monitor.observe(SECOND, 1, time.time(), 0.5)
    open_signed_in(page, api, VIEWER, FIRST)
    by_test_id(page, "site-order").select_option("urgency")
    expect_listed(page, [FIRST, SECOND])  # both calm: by name

    offline = SiteStatusPayload(status="offline", reason="cannot open rtsp://cam-2/stream")
    api.bus.publish(MessageType.SITE_STATUS, SECOND, offline)
    expect(by_test_id(page, f"site-row-{SECOND}")).to_have_attribute(
        "data-status", "offline", timeout=WAIT_MS
    )
    expect_listed(page, [SECOND, FIRST])
