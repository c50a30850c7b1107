"""The setup page's count check in a real Chromium against the real server and runtime: a
supervisor takes two samples of a camera the blob counter sees four people on, clicks five
heads on each (one the counter misses), fits and applies the scale, and the site counts five.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.live_demo import LiveDemo, live_demo
from tests.web import test_setup_page
from tests.web.test_setup_page import FRAME, LEVELS, SITE, SUPERVISOR

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
    # Put back where it was, give or take a pixel of the page's layout since (a scrollbar
    # that came meanwhile moves the frame under the pointer): saved again, it is counted.
    click_sample(page, *HEADS[-1])
    expect(by_test_id(page, "count-marked")).to_have_text(re.compile(r"^5 marked"))
    by_test_id(page, "count-save").click()
    expect(by_test_id(page, "count-marked")).to_have_text("5 marked", timeout=WAIT_MS)
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
    badge = by_test_id(live, "panel-count-scale")
    expect(badge).to_have_text("Count \u00d71.25", timeout=WAIT_MS)
    expect(badge).to_have_attribute(
        "title",
        f"Fitted by {SUPERVISOR} on 2 frames counted by hand; off by 0.0 people on average on them",
        timeout=WAIT_MS,
    )
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


@pytest.fixture
def recording_demo(tmp_path: Path) -> Iterator[LiveDemo]:
    """The setup page's camera, recorded continuously in 2 s segments."""
    require_web_assets()
    site = minimal_site(
        analysis_fps=5,
        roi=[[0, 0], [160, 0], [160, 120], [0, 120]],
        thresholds=LEVELS,
        recording={"policy": "continuous", "segment_s": 2},
    )
    config = AppConfig.model_validate({"map": {"tile_url": ""}, "sites": [site]})
    with live_demo(config, tmp_path, {SUPERVISOR: Role.SUPERVISOR}, SITE, people=4) as made:
        yield made


def test_a_busy_moment_from_the_replay_is_taken_as_a_sample(
    page: Any, recording_demo: LiveDemo
) -> None:
    demo = recording_demo
    recording = demo.application.recording
    assert recording is not None
    deadline = time.monotonic() + WAIT_MS / 1000
    while len(recording.index.segments(SITE, None, None)) < 2:
        assert time.monotonic() < deadline, "nothing recorded"
        time.sleep(0.2)
    first = recording.index.segments(SITE, None, None)[0]
    moment = (first.start + first.end) / 2
    demo.crowd.people = 0  # the live frame is quiet now; the recorded one had four

    page.goto(demo.server.url(f"/replay.html?site={SITE}&at={moment}"))
    sign_in(page, SUPERVISOR)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    with page.expect_popup() as opened:
        by_test_id(page, "replay-count-check").click()
    setup = opened.value
    expect(setup.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    assert by_test_id(setup, "count-at").input_value()  # the replay's moment, to the second
    by_test_id(setup, "count-take-at").click()
    expect(by_test_id(setup, "count-samples").locator("li")).to_have_count(1, timeout=WAIT_MS)
    expect(by_test_id(setup, "count-model")).to_have_text("4.0")
    expect(by_test_id(setup, "live-count")).to_have_text("0.0", timeout=WAIT_MS)


@pytest.mark.parametrize(
    ("applied", "title"),
    [
        pytest.param(
            None,
            "The model's count at this camera is multiplied by this factor (set in the "
            "configuration)",
            id="from-the-yaml",
        ),
        pytest.param(
            {"by": "li", "samples": 0, "mae_applied": None, "mae_held_out": None},
            "Set by li without frames counted by hand",
            id="typed-in",
        ),
        pytest.param(
            {"by": "li", "samples": 5, "mae_applied": 1.04, "mae_held_out": 1.62},
            "Fitted by li on 5 frames counted by hand; off by 1.0 people on average on them; "
            "1.6 on frames held out of the fit",
            id="fitted",
        ),
    ],
)
def test_the_count_scale_says_what_it_stands_on(
    page: Any, demo: LiveDemo, applied: dict[str, Any] | None, title: str
) -> None:
    page.goto(demo.server.base_url + "/")
    sign_in(page, SUPERVISOR)
    found = page.evaluate(
        """async (applied) => {
            const { countScaleTitle } = await import('/js/panel.js');
            return countScaleTitle(applied);
        }""",
        applied,
    )
    assert found == title
