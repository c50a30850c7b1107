"""What the map draws over what, in a real Chromium against the real server: a response
platform stands at the crossing it guards, and must not hide that crossing's site.

The in-test monitor's sites and its 1-minute platform share one spot (tests/support/
fake_monitor.py), as a platform posted at a watched crossing does.
"""

from __future__ import annotations

from typing import Any

import pytest

from monitor.auth.roles import Role
from tests.support.api_harness import Api, ApiFactory
from tests.support.browser import WAIT_MS, by_test_id, open_signed_in, pages_api, sync_api

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "gate-a"
PLATFORM = "gate-1min"
VIEWER = "zhao.min"

TOP_AT = "([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid]')?.dataset.testid"


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return pages_api(make_api, {VIEWER: Role.VIEWER})


def centre(locator: Any) -> list[float]:
    box = locator.bounding_box()
    assert box is not None
    return [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]


def test_a_platform_at_a_sites_crossing_is_drawn_under_the_sites_marker(
    page: Any, api: Api
) -> None:
    open_signed_in(page, api, VIEWER, SITE)
    platform = by_test_id(page, f"platform-marker-{PLATFORM}")
    marker = by_test_id(page, f"site-marker-{SITE}")
    expect(platform).to_be_visible(timeout=WAIT_MS)
    expect(marker).to_be_visible()
    # The two overlap: at the platform's centre the page shows a site's marker, not the pin.
    on_top = page.evaluate(TOP_AT, centre(platform))
    assert on_top is not None
    assert on_top.startswith("site-marker-"), on_top
    # Off the marker's disc, the platform's pin is still there to see and point at.
    box = platform.bounding_box()
    assert box is not None
    corner = [box["x"] + 2, box["y"] + 2]
    assert page.evaluate(TOP_AT, corner) == f"platform-marker-{PLATFORM}"
