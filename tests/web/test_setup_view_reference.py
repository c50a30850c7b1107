"""The setup page's set-up view, in a real Chromium against the real server: the installer
sees the view the camera is held to, sees the camera flagged once it is moved off it, and
makes the live view the new set-up view after re-aiming it on purpose. The demo is
tests/web/test_picture_quality.py's, with its page helpers from tests/web/test_setup_picture.py.
"""

from __future__ import annotations

import re
import time
from typing import Any

import numpy as np
import pytest

from tests.support.browser import WAIT_MS, by_test_id, sync_api
from tests.support.street import moved
from tests.web import test_setup_picture
from tests.web.test_picture_quality import FRAME, POOR, flagging
from tests.web.test_setup_picture import SUPERVISOR, open_setup

expect = sync_api().expect

# A supervisor's demo; bound here, not imported, for pytest to find it as this module's fixture.
setup_demo = test_setup_picture.setup_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_camera_moved_off_its_set_up_view_is_flagged_until_the_live_view_is_taken(
    page: Any, setup_demo: Any
) -> None:
    demo = setup_demo(flagging(()))
    open_setup(page, demo, POOR)
    caption, shift = by_test_id(page, "vr-taken"), by_test_id(page, "vr-shift")
    expect(caption).to_have_attribute("data-taken-by", "system", timeout=WAIT_MS)
    expect(caption).to_contain_text("the first frame the site showed")
    expect(by_test_id(page, "vr-image")).to_be_visible()
    expect(shift).to_have_attribute("data-state", "held", timeout=WAIT_MS)
    expect(shift).to_have_text("On its set-up view (0.0% of the frame's width off).")

    demo.cameras.frame = moved(FRAME, dx=0.1)  # a preset left
    expect(shift).to_have_attribute("data-state", "moved", timeout=WAIT_MS)
    expect(shift).to_have_text(
        re.compile(
            r"^The camera has moved: (9\.\d|10\.\d)% of the frame's width off its set-up view"
        )
    )
    line = by_test_id(page, "picture-state")
    expect(line).to_have_attribute("data-issues", "view_moved", timeout=WAIT_MS)
    expect(line).to_have_text("Picture: view moved off its set-up: region no longer fits")
    expect(by_test_id(page, "picture-view_shift")).to_have_attribute("data-range", "past")

    by_test_id(page, "vr-take").click()
    expect(by_test_id(page, "vr-status")).to_have_text(
        "The live view is the set-up view now: the camera is held to it.", timeout=WAIT_MS
    )
    expect(caption).to_have_attribute("data-taken-by", SUPERVISOR)
    expect(shift).to_have_attribute("data-state", "held", timeout=WAIT_MS)
    expect(line).to_have_attribute("data-issues", "", timeout=WAIT_MS)
    runtime = demo.live.application.runtime
    assert runtime is not None
    reference = runtime.view_reference(POOR)
    assert reference is not None
    assert reference.taken_by == SUPERVISOR


def test_the_view_limit_is_set_with_the_other_picture_limits(page: Any, setup_demo: Any) -> None:
    demo = setup_demo(flagging(()))
    open_setup(page, demo, POOR)
    field = by_test_id(page, "pl-view_shift")
    expect(field).to_have_value("0.03", timeout=WAIT_MS)
    field.fill("0.08")
    by_test_id(page, "pl-save").click()
    expect(by_test_id(page, "pl-status")).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    runtime = demo.live.application.runtime
    assert runtime is not None
    limits = runtime.site_config(POOR).image_quality
    assert (limits.view_shift_limit, limits.view_check) == (0.08, True)
    expect(by_test_id(page, "picture-view_shift-range")).to_have_text(
        "moved above 0.080", timeout=WAIT_MS
    )


def dark_is_latest(reading: Any) -> bool:
    quality = None if reading is None else reading.image_quality
    return quality is not None and quality.spread < 1.0  # the mosaic's is about 40


def test_a_set_up_view_too_dark_to_hold_the_camera_to_says_so(page: Any, setup_demo: Any) -> None:
    demo = setup_demo(flagging(()))
    open_setup(page, demo, POOR)
    expect(by_test_id(page, "vr-taken")).to_have_attribute(
        "data-taken-by", "system", timeout=WAIT_MS
    )
    demo.cameras.frame = np.full_like(FRAME, 14)  # night: nothing but grain-free dark
    runtime = demo.live.application.runtime
    assert runtime is not None
    # A supervisor takes the view in the dark: it stands, but holds the camera to nothing.
    deadline = time.monotonic() + 20
    while not dark_is_latest(runtime.site(POOR).latest):
        assert time.monotonic() < deadline, "the dark frame was never analysed"
        time.sleep(0.1)
    by_test_id(page, "vr-take").click()
    shift = by_test_id(page, "vr-shift")
    expect(shift).to_have_attribute("data-state", "bare", timeout=WAIT_MS)
    expect(shift).to_contain_text("too bare or too dark to hold the camera to")
