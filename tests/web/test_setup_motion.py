"""The setup page's crowd-motion form, in a real Chromium against the real server: a
supervisor sets a site's pressure limit, turns measuring off, and is told why a limit out of
bounds is not saved. The demo is tests/web/test_picture_quality.py's, with its page helpers
from tests/web/test_setup_picture.py.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest

from monitor.motion.measure import Motion
from tests.support.browser import WAIT_MS, by_test_id, sync_api
from tests.support.fake_monitor import stored_reading
from tests.web import test_setup_picture
from tests.web.test_picture_quality import POOR, flagging
from tests.web.test_setup_picture import open_setup

expect = sync_api().expect

# A supervisor's demo; bound here, not imported, for pytest to find it as this module's fixture.
setup_demo = test_setup_picture.setup_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def motion_of(demo: Any) -> Any:
    """The site's motion settings as the running monitor holds them."""
    runtime = demo.live.application.runtime
    assert runtime is not None
    return runtime.site_config(POOR).motion


def test_a_supervisor_sets_the_pressure_limit_and_it_holds_after_a_reload(
    page: Any, setup_demo: Any
) -> None:
    demo = setup_demo(flagging(()))
    open_setup(page, demo, POOR)
    limit, floor, hold = (
        by_test_id(page, "ml-pressure_limit"),
        by_test_id(page, "ml-pressure_min_density"),
        by_test_id(page, "ml-alert_hold_s"),
    )
    expect(by_test_id(page, "ml-enabled")).to_be_checked()
    expect(limit).to_have_value("0.02", timeout=WAIT_MS)
    expect(floor).to_have_value("2")
    expect(hold).to_have_value("10")

    limit.fill("0.035")
    floor.fill("3")
    hold.fill("20")
    by_test_id(page, "ml-save").click()
    status = by_test_id(page, "ml-status")
    expect(status).to_have_text(
        "Motion settings saved: the next frame is measured by them.", timeout=WAIT_MS
    )
    expect(status).to_have_attribute("data-state", "saved")
    motion = motion_of(demo)
    assert (motion.pressure_limit, motion.pressure_min_density) == (0.035, 3.0)
    assert motion.alert_hold_s == 20.0
    # What the form does not show was sent back as it was.
    assert (motion.window_s, motion.flow_width, motion.max_gap_s) == (5.0, 320, 2.0)
    assert (motion.alert, motion.alert_clear_ratio, motion.alert_cooldown_s) == (True, 0.75, 300)

    page.reload()
    expect(by_test_id(page, "ml-pressure_limit")).to_have_value("0.035", timeout=WAIT_MS)

    by_test_id(page, "ml-enabled").uncheck()
    by_test_id(page, "ml-save").click()
    expect(by_test_id(page, "ml-status")).to_have_text(
        "Motion settings saved: the crowd's motion is no longer measured.", timeout=WAIT_MS
    )
    assert motion_of(demo).enabled is False
    assert motion_of(demo).pressure_limit == 0.035  # kept for when it is turned back on


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        pytest.param(
            "pressure_limit",
            "0",
            "Turbulent from: must be a number more than 0 and at most 10.",
            id="no-pressure",
        ),
        pytest.param(
            "pressure_min_density",
            "-1",
            "Only where at least: must be a number at least 0 and at most 10.",
            id="negative-density",
        ),
        pytest.param(
            "alert_hold_s",
            "601",
            "Turbulence alert after: must be a number at least 0 and at most 600.",
            id="hold-too-long",
        ),
        pytest.param(
            "pressure_limit",
            "",
            "Turbulent from: must be a number more than 0 and at most 10.",
            id="empty",
        ),
    ],
)
def test_a_value_out_of_bounds_is_not_saved_and_says_why(
    page: Any, setup_demo: Any, field: str, value: str, message: str
) -> None:
    demo = setup_demo(flagging(()))
    open_setup(page, demo, POOR)
    expect(by_test_id(page, "ml-pressure_limit")).to_have_value("0.02", timeout=WAIT_MS)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "PUT" else None)
    by_test_id(page, f"ml-{field}").fill(value)
    by_test_id(page, "ml-save").click()
    status = by_test_id(page, "ml-status")
    expect(status).to_have_text(message, timeout=WAIT_MS)
    expect(status).to_have_attribute("data-state", "error")
    expect(by_test_id(page, f"ml-{field}")).to_have_attribute("aria-invalid", "true")
    assert sent == []
    assert motion_of(demo).pressure_limit == 0.02


def test_a_supervisor_previews_what_a_longer_hold_would_have_raised(
    page: Any, setup_demo: Any
) -> None:
    demo = setup_demo(flagging(()))
    store = demo.live.application.store
    # Ten minutes ago, before the demo's own readings: 30 s pushed about, then calm.
    start = time.time() - 600
    readings = []
    for k in range(60):
        pressure = 0.05 if k < 30 else 0.001
        motion = Motion(speed_m_s=0.8, pressure=pressure, turbulent=pressure >= 0.02)
        readings.append(
            dataclasses.replace(stored_reading(POOR, k + 1, start + k, 1.0), motion=motion)
        )
    store.add_readings(readings)
    open_setup(page, demo, POOR)
    expect(by_test_id(page, "ml-alert_hold_s")).to_have_value("10", timeout=WAIT_MS)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "PUT" else None)

    by_test_id(page, "ml-alert_hold_s").fill("40")
    by_test_id(page, "ml-preview").click()
    result = by_test_id(page, "ml-preview-result")
    expect(result).to_have_attribute("data-proposed", "0", timeout=WAIT_MS)
    expect(result).to_have_attribute("data-current", "1")
    expect(result).to_contain_text("would have raised 0 turbulence alerts; the saved ones 1")
    # The pressures drawn against the limit and the clear line (0.75 of it).
    chart = by_test_id(page, "ml-chart")
    expect(chart).to_be_visible()
    # The sixty stored above, and whatever the demo has measured since it started.
    assert int(chart.get_attribute("data-points") or 0) >= 60
    expect(chart).to_have_attribute("data-lines", "0.02,0.015")
    expect(chart.locator("canvas")).to_have_count(1)

    by_test_id(page, "ml-alert_hold_s").fill("5")
    by_test_id(page, "ml-pressure_limit").fill("0.04")
    by_test_id(page, "ml-preview").click()
    expect(result).to_have_attribute("data-proposed", "1", timeout=WAIT_MS)
    expect(chart).to_have_attribute("data-lines", "0.04,0.03")
    expect(chart.locator("canvas")).to_have_count(1)  # redrawn, not stacked
    expect(result).to_contain_text("would have raised 1 turbulence alert, the first at")
    # A preview changes nothing.
    assert sent == []
    assert motion_of(demo).alert_hold_s == 10.0
