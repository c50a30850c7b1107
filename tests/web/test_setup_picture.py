"""The setup page's picture line, in a real Chromium against the real server: the installer
at the camera sees whether its picture is good, the shared warning when it is not, and the
measures behind it, so a refocus or a bitrate change can be watched taking effect.

The cameras, frames and per-case limits are tests/web/test_picture_quality.py's: each site's
`image_quality` limits are set just past the test frame's own measures, so the real
assessment flags exactly the issues a case asks for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.quality.assess import FrameQuality, assess_frame
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.live_demo import live_demo
from tests.web.test_picture_quality import (
    FRAME,
    GOOD,
    MEASURED,
    NEUTRAL_LIMITS,
    POOR,
    POOR_CASES,
    UNASSESSED,
    Cameras,
    Demo,
    demo_config,
    flagging,
    mosaic,
)

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SUPERVISOR = "chen.sup"
MEASURES = ("noise", "detail", "blocking", "spread")
# As many decimals as the page shows of each: the noise and spread in grey levels, the
# detail and blocking as ratios.
DIGITS = {"noise": 1, "detail": 2, "blocking": 2, "spread": 1}
DASH = "\u2013"  # between the ends of a good range


@pytest.fixture
def setup_demo(tmp_path: Path) -> Iterator[Any]:
    """Starts the product with POOR's limits as given, signed in as one who may set sites
    up; at most once per test."""
    require_web_assets()
    with ExitStack() as stack:

        def make(poor_limits: dict[str, Any]) -> Demo:
            config = demo_config(poor_limits)
            live = stack.enter_context(
                live_demo(config, tmp_path, {SUPERVISOR: Role.SUPERVISOR}, UNASSESSED)
            )
            cameras = stack.enter_context(Cameras(live.sources, [POOR, GOOD], FRAME))
            return Demo(live, cameras)

        yield make


def open_setup(page: Any, demo: Demo, site_id: str) -> None:
    page.goto(demo.live.server.url(f"/setup.html?site={site_id}"))
    sign_in(page, SUPERVISOR)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    expect(by_test_id(page, "setup")).to_have_attribute("data-site-id", site_id)
    # A reading is on screen (the count is shown) before its picture is judged.
    expect(by_test_id(page, "live-reading")).to_have_attribute(
        "data-analysed-at", re.compile(r"\d"), timeout=WAIT_MS
    )


def expect_measures(page: Any, measured: FrameQuality) -> None:
    """The measures are shown, as the reading carries them, with the good ranges beside."""
    expect(by_test_id(page, "picture-measures")).to_be_visible()
    for name in MEASURES:
        value = by_test_id(page, f"picture-{name}")
        expected = getattr(measured, name)
        # The reading rounds its measures; the page shows them to DIGITS decimals.
        close = pytest.approx(expected, abs=0.6 * 10 ** -DIGITS[name])
        expect(value).to_have_text(re.compile(rf"^\d+\.\d{{{DIGITS[name]}}}$"))
        assert float(value.text_content() or "nan") == close
        assert float(value.get_attribute("data-value") or "nan") == close
    expect(by_test_id(page, "picture-detail-range")).to_have_text(f"good about 0.7{DASH}1.1")
    expect(by_test_id(page, "picture-blocking-range")).to_have_text(f"good about 1.0{DASH}1.5")


@pytest.mark.parametrize(("limits_passed", "text"), POOR_CASES)
def test_poor_picture_is_flagged_while_setting_up(
    page: Any, setup_demo: Any, limits_passed: tuple[str, ...], text: str
) -> None:
    demo = setup_demo(flagging(limits_passed))
    shown = "blank" if "blank" in limits_passed else " ".join(limits_passed)
    open_setup(page, demo, POOR)

    line = by_test_id(page, "picture-state")
    expect(line).to_have_attribute("data-issues", shown, timeout=WAIT_MS)
    expect(line).to_have_text(text)
    expect(line).to_be_visible()
    expect(line).to_have_attribute("data-state", "poor")
    expect(line).to_have_attribute("data-severity", "bad" if shown == "blank" else "warn")
    expect(line).to_have_attribute("role", "status")
    expect_measures(page, MEASURED)


@pytest.mark.parametrize(
    ("site_id", "state", "text", "measured"),
    [
        pytest.param(GOOD, "good", "Picture: good", MEASURED, id="good-picture"),
        pytest.param(UNASSESSED, "unassessed", "Picture: not assessed", None, id="not-assessed"),
    ],
)
def test_good_or_unassessed_picture_while_setting_up(
    page: Any,
    setup_demo: Any,
    site_id: str,
    state: str,
    text: str,
    measured: FrameQuality | None,
) -> None:
    demo = setup_demo(flagging(("noise",)))
    open_setup(page, demo, site_id)

    line = by_test_id(page, "picture-state")
    expect(line).to_have_attribute("data-state", state, timeout=WAIT_MS)
    expect(line).to_have_text(text)
    expect(line).to_be_visible()
    expect(line).to_have_attribute("data-issues", "")
    expect(line).to_have_attribute("data-severity", "")
    if measured is None:
        expect(by_test_id(page, "picture-measures")).to_be_hidden()
    else:
        expect_measures(page, measured)
        # Good by the site's limits, yet the blocks are past the usual range: the installer
        # sees how near the picture stands to a warning.
        expect(by_test_id(page, "picture-detail")).to_have_attribute("data-range", "within")
        expect(by_test_id(page, "picture-blocking")).to_have_attribute("data-range", "above")


def test_picture_line_follows_the_camera_without_reannouncing(page: Any, setup_demo: Any) -> None:
    smooth = assess_frame(mosaic(smooth=True))
    # A blocking limit between the two pictures, clear of the margin an issue needs to clear.
    limit = (MEASURED.blocking * smooth.blocking) ** 0.5
    assert smooth.blocking * 1.2 < limit < MEASURED.blocking
    demo = setup_demo(NEUTRAL_LIMITS | {"blocking_limit": limit})
    open_setup(page, demo, POOR)
    line = by_test_id(page, "picture-state")
    expect(line).to_have_attribute("data-issues", "blocking", timeout=WAIT_MS)

    # Readings keep coming with the same picture: the status line's words are not
    # rewritten, so a screen reader does not announce them again.
    page.evaluate(
        """() => {
            window.pictureWrites = 0;
            new MutationObserver((records) => { window.pictureWrites += records.length; })
              .observe(document.getElementById("picture-state"),
                       { childList: true, characterData: true, subtree: true });
        }"""
    )
    box = by_test_id(page, "live-reading")
    for _ in range(2):
        seen = box.get_attribute("data-analysed-at") or ""
        expect(box).not_to_have_attribute("data-analysed-at", seen, timeout=WAIT_MS)
    assert page.evaluate("window.pictureWrites") == 0
    expect(line).to_have_text("Picture: heavy compression: counts may be off")

    # The installer fixes the stream: the line turns good and the measures follow, no reload.
    demo.cameras.frame = mosaic(smooth=True)
    expect(line).to_have_text("Picture: good", timeout=WAIT_MS)
    expect(line).to_have_attribute("data-issues", "")
    expect_measures(page, smooth)
    expect(by_test_id(page, "picture-blocking")).to_have_attribute("data-range", "within")
    # Smooth, but soft: the fine detail is below its good range, the way to a warning.
    expect(by_test_id(page, "picture-detail")).to_have_attribute("data-range", "below")
