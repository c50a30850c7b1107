"""The camera wall in a real Chromium against the real server: three pushed cameras, one
with a crowd over its level, one dead, one quiet; the wall puts them in the order that
needs eyes first and follows the crowd as it leaves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.crowd import LiveCrowd
from tests.support.live_demo import LiveDemo, live_demo

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWER = "zhou.viewer"
CROWDED, DEAD, QUIET = "wuyi-square", "pozi-street", "huangxing-road"
LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2}],
}
WHOLE_FRAME = [[0, 0], [160, 0], [160, 120], [0, 120]]


def site(site_id: str, name: str) -> dict[str, Any]:
    return minimal_site(
        id=site_id, name={"en": name, "zh": name}, roi=WHOLE_FRAME, thresholds=LEVELS
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveDemo]:
    require_web_assets()
    sites = [
        site(CROWDED, "Wuyi Square"),
        site(DEAD, "Pozi Street"),
        site(QUIET, "Huangxing Road"),
    ]
    config = AppConfig.model_validate({"map": {"tile_url": ""}, "sites": sites})
    with live_demo(config, tmp_path, {VIEWER: Role.VIEWER}, CROWDED, people=4) as made:
        quiet = LiveCrowd(made.sources, QUIET, people=1)
        quiet.start()
        made.sources.by_site[DEAD].report("offline", "cannot open rtsp://cam-7/stream")
        try:
            yield made
        finally:
            quiet.stop()


def tile_order(page: Any) -> list[str]:
    order: list[str] = page.eval_on_selector_all(
        "[data-testid=wall] > .wall-tile", "tiles => tiles.map((t) => t.dataset.siteId)"
    )
    return order


def test_the_wall_shows_every_camera_the_most_urgent_first(page: Any, demo: LiveDemo) -> None:
    page.goto(demo.server.url("/"))
    sign_in(page, VIEWER)
    by_test_id(page, "wall-link").click()
    expect(page).to_have_url(demo.server.url("/wall.html"))
    expect(by_test_id(page, "connection-status")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )
    crowded = by_test_id(page, f"wall-tile-{CROWDED}")
    expect(crowded).to_have_attribute("data-alerting", "true", timeout=WAIT_MS)
    expect(by_test_id(page, f"wall-count-{CROWDED}")).to_have_text("4 people")
    expect(by_test_id(page, f"wall-level-{CROWDED}")).to_have_text("elevated")
    expect(by_test_id(page, f"wall-reason-{DEAD}")).to_have_text(
        "Camera offline: cannot open rtsp://cam-7/stream", timeout=WAIT_MS
    )
    expect(by_test_id(page, f"wall-count-{QUIET}")).to_have_text("1 person", timeout=WAIT_MS)
    expect(by_test_id(page, "wall-summary")).to_have_text(
        "3 sites · 1 with open alerts · 1 without a picture"
    )
    assert tile_order(page) == [CROWDED, DEAD, QUIET]
    # Each live tile shows a frame (with its heat); the dead one has none to show.
    expect(crowded).to_have_attribute("data-seq", re.compile(r"^\d+$"), timeout=WAIT_MS)
    assert (
        page.eval_on_selector(
            f"[data-testid=wall-image-{CROWDED}]", "img => img.complete && img.naturalWidth"
        )
        == 160
    )

    expect(by_test_id(page, f"wall-image-{DEAD}")).to_be_hidden()
    expect(by_test_id(page, f"wall-level-{DEAD}")).to_be_hidden()
    # The crowd leaves: the alert clears and the site goes back among the quiet ones.
    demo.crowd.people = 0
    expect(by_test_id(page, f"wall-level-{CROWDED}")).to_have_text("normal", timeout=WAIT_MS)
    # Nobody has dealt with its alert yet: still framed, in the colour of the level it reached.
    expect(crowded).to_have_attribute("data-alerting", "true")
    frame = crowded.evaluate("(t) => t.style.getPropertyValue('--tile-level')")
    assert frame == "#f5c542"
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=wall] > .wall-tile')]"
        ".map((t) => t.dataset.siteId).join() === 'pozi-street,huangxing-road,wuyi-square'",
        timeout=WAIT_MS,
    )

    # A tile opens its site on the live map.
    crowded.click()
    expect(page).to_have_url(demo.server.url(f"/#{CROWDED}"))
    expect(by_test_id(page, "site-panel")).to_have_attribute(
        "data-site-id", CROWDED, timeout=WAIT_MS
    )


def test_among_alerting_sites_the_most_severe_then_the_fullest_come_first(
    page: Any, demo: LiveDemo
) -> None:
    page.goto(demo.server.url("/wall.html"))
    sign_in(page, VIEWER)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    order = page.evaluate(
        """async () => {
            const { urgencyOrder } = await import('/js/urgency.js');
            const thresholds = { levels: [{ name: 'elevated' }, { name: 'high' }] };
            const site = (id, level, count, status = 'online') => ({
                id, name_en: id, level, status, thresholds, latest: { count },
            });
            const turbulent = (s) => s.id.startsWith('turbulent');
            return urgencyOrder([
                site('b-quiet', 'normal', 50),
                site('a-quiet', 'normal', 1),
                site('starting', 'normal', 0, 'starting'),
                site('elevated-few', 'elevated', 30),
                site('high', 'high', 10),
                site('elevated-many', 'elevated', 90),
                site('dead', 'normal', 0, 'offline'),
                site('turbulent-quiet', 'normal', 40),
            ], turbulent).map((s) => s.id);
        }"""
    )
    # A turbulence alert on ranks above every density level: the step before a crush.
    assert order == [
        "turbulent-quiet",
        "high",
        "elevated-many",
        "elevated-few",
        "dead",
        "starting",
        "a-quiet",
        "b-quiet",
    ]
