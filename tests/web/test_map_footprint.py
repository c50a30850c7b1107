"""A calibrated site's counted ground on the live map, in a real Chromium against the real
server: shaded by its crowd's density and coloured by its level as people arrive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.live_demo import LiveDemo, live_demo

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE, UNCALIBRATED = "wuyi-square", "pozi-street"
VIEWER = "zhao.min"
ROI = [[0, 0], [160, 0], [160, 120], [0, 120]]
# Looking straight down at 100 px per metre: the region is 1.6 m x 1.2 m of ground, so four
# people stand at about 2 per m².
CALIBRATION = [
    {"image": [0, 0], "ground": [0.0, 1.2]},
    {"image": [160, 0], "ground": [1.6, 1.2]},
    {"image": [160, 120], "ground": [1.6, 0.0]},
    {"image": [0, 120], "ground": [0.0, 0.0]},
]
LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2}],
}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveDemo]:
    require_web_assets()
    calibrated = minimal_site(roi=ROI, ground={"calibration": CALIBRATION}, thresholds=LEVELS)
    plain = minimal_site(
        id=UNCALIBRATED,
        name={"en": "Pozi Street", "zh": "坡子街"},
        location={"lat": 28.1925, "lon": 112.9730},
        roi=ROI,
    )
    config = AppConfig.model_validate(
        {
            "map": {"center": [28.196, 112.9768], "zoom": 19, "tile_url": ""},
            "sites": [calibrated, plain],
        }
    )
    with live_demo(config, tmp_path, {VIEWER: Role.VIEWER}, SITE) as made:
        yield made


def test_the_counted_ground_is_shaded_by_its_crowd(page: Any, demo: LiveDemo) -> None:
    page.goto(demo.server.base_url + "/")
    sign_in(page, VIEWER)
    footprint = by_test_id(page, f"site-footprint-{SITE}")
    expect(footprint).to_have_attribute("data-density", "0", timeout=WAIT_MS)
    expect(footprint).to_have_attribute("data-color", "#2e9e5b")  # normal
    quiet_opacity = float(footprint.get_attribute("fill-opacity") or 0)
    # A site without a ground calibration has no ground to draw.
    expect(by_test_id(page, f"site-footprint-{UNCALIBRATED}")).to_have_count(0)

    demo.crowd.people = 4
    expect(footprint).to_have_attribute("data-density", "2", timeout=WAIT_MS)
    expect(footprint).to_have_attribute("data-color", "#f5c542")  # elevated
    assert float(footprint.get_attribute("fill-opacity") or 0) > quiet_opacity

    # Clicking the ground selects the site (dispatched: this ground is a few pixels wide at
    # the map's zoom, under the site's marker).
    footprint.dispatch_event("click")
    expect(by_test_id(page, "site-panel")).to_have_attribute("data-site-id", SITE, timeout=WAIT_MS)
