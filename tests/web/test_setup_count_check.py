"""The setup page's count check in a real Chromium against the real server and runtime: a
supervisor takes two samples of a camera the blob counter sees four people on, clicks five
heads on each (one the counter misses), fits and applies the scale, and the site counts five.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.browser import WAIT_MS, by_test_id, sign_in, sync_api
from tests.support.live_demo import LiveDemo
from tests.web import test_setup_page
from tests.web.test_setup_page import FRAME, SITE, SUPERVISOR

expect = sync_api().expect

# The synthetic camera; bound here, not imported, for pytest to find it as this module's fixture.
demo = test_setup_page.demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# On the four people (x = 12, 36, 60, 84), and one more the counter does not see.
HEADS = [(12, 12), (36, 12), (60, 12), (84, 12), (150, 30)]


def click_sample(page: Any, x: float, y: float) -> None:
    """Clicks the sample's frame at image pixel (x, y)."""
    overlay = by_test_id(page, "count-overlay")
    box = overlay.bounding_box()
    overlay.click(position={"x": x * box["width"] / FRAME[0], "y": y * box["height"] / FRAME[1]})


def take_and_count(page: Any, samples: int) -> None:
    by_test_id(page, "count-take").click()
    expect(by_test_id(page, "count-samples").locator("li")).to_have_count(samples, timeout=WAIT_MS)
    expect(by_test_id(page, "count-model")).to_have_text("4.0")
    for x, y in HEADS:
        click_sample(page, x, y)
    expect(by_test_id(page, "count-marked")).to_have_text("5 marked (not saved)")
    by_test_id(page, "count-save").click()
    expect(by_test_id(page, "count-status")).to_have_text(
        re.compile(r"^Saved: 5 of the 5 heads are inside the region"), timeout=WAIT_MS
    )
    expect(by_test_id(page, "count-marked")).to_have_text("5 marked")


def test_a_supervisor_checks_the_count_and_corrects_it(page: Any, demo: LiveDemo) -> None:
    page.goto(demo.server.url(f"/setup.html?site={SITE}"))
    sign_in(page, SUPERVISOR)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    expect(by_test_id(page, "count-none")).to_be_visible()
    expect(by_test_id(page, "count-scale-now")).to_have_text("1.000")
    expect(by_test_id(page, "live-count")).to_have_text("4.0", timeout=WAIT_MS)

    take_and_count(page, 1)
    # A click on a mark takes it away; the list says the sample is counted.
    click_sample(page, *HEADS[-1])
    expect(by_test_id(page, "count-marked")).to_have_text("4 marked (not saved)")
    click_sample(page, *HEADS[-1])
    expect(by_test_id(page, "count-marked")).to_have_text("5 marked")
    expect(by_test_id(page, "count-samples")).to_contain_text("5 counted by hand")
    take_and_count(page, 2)

    by_test_id(page, "count-fit").click()
    result = by_test_id(page, "count-fit-result")
    expect(result).to_be_visible(timeout=WAIT_MS)
    expect(result).to_have_attribute("data-scale", "1.25")
    expect(by_test_id(page, "count-fit-count-scale")).to_have_text("1.000 now → 1.250 fitted")
    expect(by_test_id(page, "count-fit-mean-error-scale-now")).to_have_text("1.00")
    expect(by_test_id(page, "count-fit-mean-error-fitted")).to_have_text("0.00")
    expect(by_test_id(page, "count-fit-mean-error-held-out")).to_have_text("needs 3 samples")
    by_test_id(page, "count-apply").click()
    expect(by_test_id(page, "count-scale-now")).to_have_text("1.250", timeout=WAIT_MS)
    expect(by_test_id(page, "count-status")).to_contain_text("Count scale 1.250 applied")
    expect(by_test_id(page, "live-count")).to_have_text("5.0", timeout=WAIT_MS)
    expect(by_test_id(page, "count-apply")).to_be_disabled()
    expect(by_test_id(page, "count-model")).to_have_text("5.0")  # the sample, at the new scale

    # The live page's panel says the count is corrected, and by how much.
    live = page.context.new_page()
    live.goto(demo.server.base_url + "/")
    by_test_id(live, f"site-marker-{SITE}").click()
    expect(by_test_id(live, "panel-count-scale")).to_have_text("Count \u00d71.25", timeout=WAIT_MS)
    expect(by_test_id(live, "stat-count")).to_have_text("5", timeout=WAIT_MS)
    live.close()

    # Opened afresh: the samples and their heads are kept.
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    expect(by_test_id(page, "count-samples").locator("li")).to_have_count(2)
    expect(by_test_id(page, "count-head")).to_have_count(5)
    expect(by_test_id(page, "count-samples")).to_contain_text("site counts 5.0 · 5 counted by hand")
    # Deleting one leaves the other.
    page.locator("[data-testid^=count-sample-delete-]").first.click()
    expect(by_test_id(page, "count-samples").locator("li")).to_have_count(1, timeout=WAIT_MS)
