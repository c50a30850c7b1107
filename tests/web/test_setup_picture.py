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
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.quality.assess import FrameQuality, assess_frame
from tests.support.browser import WAIT_MS, by_test_id, sign_in, sync_api
from tests.web.test_picture_quality import (
    GOOD,
    MEASURED,
    NEUTRAL_LIMITS,
    POOR,
    POOR_CASES,
    UNASSESSED,
    Demo,
    demos,
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
LIMIT_KEYS = {
    "noise": "noise_limit",
    "detail": "detail_limit",
    "blocking": "blocking_limit",
    "spread": "blank_spread_limit",
}
LIMIT_WORDS = {
    "noise": "grainy above",
    "detail": "lost below",
    "blocking": "blocky above",
    "spread": "blank below",
}
# The measure each issue is about, shown past its limit when the issue is raised.
ISSUE_MEASURE = {
    "noise": "noise",
    "detail_loss": "detail",
    "blocking": "blocking",
    "blank": "spread",
}


@pytest.fixture
def setup_demo(tmp_path: Path) -> Iterator[Any]:
    """Signed in as one who may set sites up."""
    with demos(tmp_path, SUPERVISOR, Role.SUPERVISOR) as make:
        yield make


def expect_line(page: Any, state: str, issues: str, severity: str, text: str) -> None:
    line = by_test_id(page, "picture-state")
    expect(line).to_have_attribute("data-state", state, timeout=WAIT_MS)
    expect(line).to_have_attribute("data-issues", issues)
    expect(line).to_have_attribute("data-severity", severity)
    expect(line).to_have_text(text)
    expect(line).to_be_visible()
    expect(line).to_have_attribute("role", "status")


def open_setup(page: Any, demo: Demo, site_id: str) -> None:
    page.goto(demo.live.server.url(f"/setup.html?site={site_id}"))
    sign_in(page, SUPERVISOR)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    expect(by_test_id(page, "setup")).to_have_attribute("data-site-id", site_id)
    # A reading is on screen (the count is shown) before its picture is judged.
    expect(by_test_id(page, "live-reading")).to_have_attribute(
        "data-analysed-at", re.compile(r"\d"), timeout=WAIT_MS
    )


def expect_measures(page: Any, measured: FrameQuality, limits: dict[str, Any]) -> None:
    """The measures are shown, as the reading carries them, each beside the site's limit."""
    expect(by_test_id(page, "picture-measures")).to_be_visible()
    for name in MEASURES:
        value = by_test_id(page, f"picture-{name}")
        expected = getattr(measured, name)
        # The reading rounds its measures; the page shows them to DIGITS decimals.
        close = pytest.approx(expected, abs=0.6 * 10 ** -DIGITS[name])
        expect(value).to_have_text(re.compile(rf"^\d+\.\d{{{DIGITS[name]}}}$"))
        assert float(value.text_content() or "nan") == close
        assert float(value.get_attribute("data-value") or "nan") == close
        limit = float(limits[LIMIT_KEYS[name]])
        assert float(value.get_attribute("data-limit") or "nan") == limit
        expect(by_test_id(page, f"picture-{name}-range")).to_have_text(
            f"{LIMIT_WORDS[name]} {limit:.{DIGITS[name]}f}"
        )


@pytest.mark.parametrize(("limits_passed", "text"), POOR_CASES)
def test_poor_picture_is_flagged_while_setting_up(
    page: Any, setup_demo: Any, limits_passed: tuple[str, ...], text: str
) -> None:
    limits = flagging(limits_passed)
    demo = setup_demo(limits)
    shown = "blank" if "blank" in limits_passed else " ".join(limits_passed)
    open_setup(page, demo, POOR)

    expect_line(page, "poor", shown, "bad" if shown == "blank" else "warn", text)
    expect_measures(page, MEASURED, limits)
    for issue in limits_passed:
        measure = by_test_id(page, f"picture-{ISSUE_MEASURE[issue]}")
        expect(measure).to_have_attribute("data-range", "past")


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

    expect_line(page, state, "", "", text)
    if measured is None:
        expect(by_test_id(page, "picture-measures")).to_be_hidden()
    else:
        expect_measures(page, measured, NEUTRAL_LIMITS)
        for name in MEASURES:  # the neutral limits are far from any picture
            expect(by_test_id(page, f"picture-{name}")).to_have_attribute("data-range", "clear")


def test_picture_line_follows_the_camera_without_reannouncing(page: Any, setup_demo: Any) -> None:
    smooth = assess_frame(mosaic(smooth=True))
    # A blocking limit between the two pictures, clear of the margin an issue needs to clear.
    limit = (MEASURED.blocking * smooth.blocking) ** 0.5
    assert smooth.blocking * 1.2 < limit < MEASURED.blocking
    limits = NEUTRAL_LIMITS | {"blocking_limit": limit}
    demo = setup_demo(limits)
    open_setup(page, demo, POOR)
    line = by_test_id(page, "picture-state")
    expect(line).to_have_attribute("data-issues", "blocking", timeout=WAIT_MS)
    expect(by_test_id(page, "picture-blocking")).to_have_attribute("data-range", "past")

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
    expect_measures(page, smooth, limits)
    expect(by_test_id(page, "picture-blocking")).to_have_attribute("data-range", "clear")


@pytest.mark.parametrize(
    "limit",
    [
        pytest.param("noise_limit", id="grain-just-under-its-limit"),
        pytest.param("detail_limit", id="detail-just-over-its-limit"),
    ],
)
def test_a_measure_near_its_limit_is_marked_before_any_warning(
    page: Any, setup_demo: Any, limit: str
) -> None:
    # Within the 10% an issue needs to clear, on the good side: no warning yet.
    name = next(key for key, value in LIMIT_KEYS.items() if value == limit)
    measured = getattr(MEASURED, name)
    near = measured * 1.05 if name == "noise" else measured / 1.05
    demo = setup_demo(NEUTRAL_LIMITS | {limit: near})
    open_setup(page, demo, POOR)
    expect(by_test_id(page, "picture-state")).to_have_text("Picture: good", timeout=WAIT_MS)
    expect(by_test_id(page, f"picture-{name}")).to_have_attribute("data-range", "near")
