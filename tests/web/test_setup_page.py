"""The site setup page in a real Chromium against the real server and runtime: draw a
region, calibrate the ground with four points, edit thresholds and see the next reading
evaluated against them.

Frames are pushed synthetic scenes (white squares a blob counter really counts), so the
test knows how many people each region holds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.measure.geo import to_local
from monitor.measure.ground import polygon_area
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.live_demo import LiveDemo, live_demo

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "wuyi-square"
SUPERVISOR = "chen.sup"
FRAME = (160, 120)  # the synthetic scenes' size
LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 100, "exit": 90}],
}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveDemo]:
    require_web_assets()
    site = minimal_site(analysis_fps=5, roi=[[0, 0], [160, 0], [160, 120], [0, 120]])
    site["thresholds"] = LEVELS
    config = AppConfig.model_validate({"map": {"tile_url": ""}, "sites": [site]})
    with live_demo(config, tmp_path, {SUPERVISOR: Role.SUPERVISOR}, SITE, people=4) as demo:
        yield demo


def save_source(page: Any, source: str) -> None:
    by_test_id(page, "source-input").fill(source)
    by_test_id(page, "source-save").click()


def click_image(page: Any, x: float, y: float) -> None:
    """Clicks the snapshot at image pixel (x, y)."""
    overlay = by_test_id(page, "setup-overlay")
    box = overlay.bounding_box()
    overlay.click(position={"x": x * box["width"] / FRAME[0], "y": y * box["height"] / FRAME[1]})


def click_map(page: Any, dx: float, dy: float) -> None:
    """Clicks the map `dx`, `dy` screen pixels from its centre."""
    area = by_test_id(page, "setup-map")
    box = area.bounding_box()
    area.click(position={"x": box["width"] / 2 + dx, "y": box["height"] / 2 + dy})


def site_now(page: Any, demo: LiveDemo) -> dict[str, Any]:
    response = page.request.get(demo.server.url(f"/api/sites/{SITE}"))
    assert response.ok, response.text()
    result: dict[str, Any] = response.json()
    return result


def wait_for(page: Any, demo: LiveDemo, check: Any, what: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_MS / 1000
    while time.monotonic() < deadline:
        site = site_now(page, demo)
        if check(site):
            return site
        time.sleep(0.2)
    raise AssertionError(f"not within {WAIT_MS} ms: {what}; site is {site}")


def test_set_a_site_up_from_the_page(page: Any, demo: LiveDemo) -> None:
    # From the live map: the site's panel marks it uncalibrated and links to its setup.
    page.goto(demo.server.base_url + "/")
    sign_in(page, SUPERVISOR)
    by_test_id(page, f"site-marker-{SITE}").click()
    expect(by_test_id(page, "panel-calibration")).to_be_visible(timeout=WAIT_MS)
    by_test_id(page, "panel-setup-link").click()
    expect(page).to_have_url(demo.server.url(f"/setup.html?site={SITE}"))
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    expect(by_test_id(page, "calibration-badge")).to_have_attribute("data-calibrated", "false")
    expect(by_test_id(page, "live-count")).to_have_text("4.0", timeout=WAIT_MS)

    # Draw a new region around the first three of the four people (x = 12, 36, 60, 84).
    by_test_id(page, "region-redraw").click()
    for x, y in [(2, 2), (74, 2), (74, 118), (2, 118)]:
        click_image(page, x, y)
    expect(by_test_id(page, "draft-polygon")).to_be_visible()
    by_test_id(page, "region-finish").click()
    expect(by_test_id(page, "vertex")).to_have_count(4)
    by_test_id(page, "region-area").fill("36")
    by_test_id(page, "region-save").click()
    expect(by_test_id(page, "view-status")).to_have_attribute(
        "data-state", "saved", timeout=WAIT_MS
    )
    site = wait_for(
        page, demo, lambda s: s["latest"] and s["latest"]["count"] == 3.0, "three people counted"
    )
    roi = np.array(site["roi"])
    np.testing.assert_allclose(roi, [[2, 2], [74, 2], [74, 118], [2, 118]], atol=1.0)
    expect(by_test_id(page, "live-count")).to_have_text("3.0", timeout=WAIT_MS)

    # Corners drag; undo goes back to the saved region.
    polygon = by_test_id(page, "roi-polygon")
    saved = polygon.get_attribute("points")
    corner = by_test_id(page, "vertex").nth(1).bounding_box()
    page.mouse.move(corner["x"] + corner["width"] / 2, corner["y"] + corner["height"] / 2)
    page.mouse.down()
    page.mouse.move(corner["x"] + 60, corner["y"] + 40, steps=5)
    page.mouse.up()
    expect(polygon).not_to_have_attribute("points", saved)
    by_test_id(page, "region-reset").click()
    expect(polygon).to_have_attribute("points", saved)

    # Calibrate: four frame points, then the same four on the map (a screen rectangle
    # twice the image's size, so the ground is a true rectangle and the fit exact).
    by_test_id(page, "mode-calibrate").click()
    image_points = [(10, 10), (150, 10), (150, 110), (10, 110)]
    map_offsets = [(-140, -100), (140, -100), (140, 100), (-140, 100)]
    for (x, y), (dx, dy) in zip(image_points, map_offsets, strict=True):
        click_image(page, x, y)
        click_map(page, dx, dy)
    expect(page.locator('[data-testid^="calib-pair-"]')).to_have_count(4)
    by_test_id(page, "calib-fit").click()
    fit_result = by_test_id(page, "fit-result")
    expect(fit_result).to_contain_text("Fit error", timeout=WAIT_MS)
    assert float(fit_result.get_attribute("data-fit-error-m")) < 0.05
    expect(page.locator('[data-testid="ground-grid"] polyline').first).to_be_attached()
    by_test_id(page, "calib-apply").click()
    expect(by_test_id(page, "calibration-badge")).to_have_attribute(
        "data-calibrated", "true", timeout=WAIT_MS
    )
    expect(by_test_id(page, "setup-map")).to_have_attribute("data-fov-points", "4")

    site = site_now(page, demo)
    setup = site["setup"]
    origin = (site["lat"], site["lon"])
    ground = np.array([to_local(tuple(p["lat_lon"]), origin) for p in setup["calibration"]])
    # An affine view: the region's share of the calibrated rectangle is its share of pixels.
    expected_area = polygon_area(ground) * (72 * 116) / (140 * 100)
    assert setup["region_area_m2"] == pytest.approx(expected_area, rel=0.03)
    assert setup["calibration_error_m"] < 0.05
    site = wait_for(
        page,
        demo,
        lambda s: (
            s["latest"]
            and s["latest"]["mean_density"] == pytest.approx(3.0 / expected_area, abs=2e-3)
            and s["latest"]["mean_density"] != pytest.approx(3.0 / 36, abs=2e-3)
        ),
        "density over the calibrated area",
    )

    # Thresholds: inline validation, the what-if over the last hour, then saving.
    assert site["level"] == "normal"
    by_test_id(page, "levels-enter-0").fill("2")
    by_test_id(page, "levels-exit-0").fill("2.5")
    problems = by_test_id(page, "th-problems")
    expect(problems).to_contain_text("exit 2.5 must be below enter 2")
    expect(by_test_id(page, "th-save")).to_be_disabled()
    expect(by_test_id(page, "levels-exit-0")).to_have_attribute("aria-invalid", "true")
    by_test_id(page, "levels-exit-0").fill("1")
    expect(problems).to_be_empty()
    whatif = by_test_id(page, "th-whatif")
    expect(whatif).to_have_attribute("data-state", "ready", timeout=WAIT_MS)
    expect(whatif).to_have_attribute("data-proposed", "1")
    expect(whatif).to_have_attribute("data-current", "0")
    assert int(by_test_id(page, "th-chart").get_attribute("data-points")) > 0
    expect(by_test_id(page, "th-chart")).to_have_attribute("data-levels", "2")
    by_test_id(page, "th-save").click()
    expect(by_test_id(page, "th-status")).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect(by_test_id(page, "live-level")).to_have_text("elevated", timeout=WAIT_MS)
    site = site_now(page, demo)
    assert site["thresholds"]["levels"][0]["enter"] == 2
    assert site["level"] == "elevated"

    # Back on the live map, the site is no longer marked uncalibrated.
    by_test_id(page, "back-to-live").click()
    by_test_id(page, f"site-marker-{SITE}").click()
    expect(by_test_id(page, "panel-name")).to_have_text("Wuyi Square", timeout=WAIT_MS)
    expect(by_test_id(page, "panel-calibration")).to_be_hidden()


def test_change_the_video_source_from_the_page(page: Any, demo: LiveDemo, tmp_path: Path) -> None:
    page.goto(demo.server.url(f"/setup.html?site={SITE}"))
    sign_in(page, SUPERVISOR)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    current = by_test_id(page, "source-current")
    expect(current).to_have_text(site_now(page, demo)["setup"]["source"])
    status = by_test_id(page, "source-status")

    # Another clip: the API takes it, the page and the site show it.
    clip = tmp_path / "other-clip.mp4"
    clip.write_bytes(b"\x00" * 64)
    save_source(page, str(clip))
    expect(status).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect(current).to_have_text(str(clip))
    assert site_now(page, demo)["setup"]["source"] == str(clip)

    # Nothing typed: the API's refusal shows inline and the source stays.
    save_source(page, "")
    expect(status).to_have_attribute("data-state", "error", timeout=WAIT_MS)
    # Named by its field: "at least 1 character" alone leaves one guessing which input.
    expect(status).to_have_text("source: String should have at least 1 character")
    expect(current).to_have_text(str(clip))
    assert site_now(page, demo)["setup"]["source"] == str(clip)

    # A camera with a password: only the masked form comes back on the page.
    save_source(page, "rtsp://viewer:s3cret-pw@cam.local:554/stream")
    expect(status).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect(current).to_have_text("rtsp://***@cam.local:554/stream")
    expect(by_test_id(page, "source-input")).to_have_value("")
    assert "s3cret-pw" not in page.content()
    assert site_now(page, demo)["setup"]["source"] == "rtsp://***@cam.local:554/stream"
