"""Where a site's crowd is heading, on the live page: the site panel's trend line, the site
list's badge and the map marker's tooltip, in a real Chromium against the real server.

The in-test monitor publishes readings with a trend the test chooses (the pipeline tests
cover how it is estimated); its sites alert on peak density, elevated from 2 and critical
from 4 persons/m². What the page should say follows from the trend and those levels.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from monitor.alerts.trend import Direction, Trend
from monitor.auth.roles import Role
from monitor.bus.messages import MessageType, SiteStatusPayload
from monitor.config.thresholds import LevelConfig, Metric, ThresholdsConfig
from tests.support.api_harness import Api, ApiFactory
from tests.support.browser import (
    WAIT_MS,
    by_test_id,
    open_signed_in,
    pages_api,
    sync_api,
)
from tests.support.fake_monitor import COLORS, default_thresholds

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "gate-a"
OTHER = "gate-b"
VIEWER = "zhao.min"
LEVELS = {level.name: level for level in default_thresholds().levels}
ELEVATED, CRITICAL = LEVELS["elevated"], LEVELS["critical"]
assert (ELEVATED.enter, CRITICAL.enter) == (2.0, 4.0)
MINUS = "\u2212"
PEOPLE_LEVELS = ThresholdsConfig(
    metric=Metric.COUNT,
    min_duration_s=0,
    cooldown_s=0,
    levels=[LevelConfig(name="crowded", color="#f08c00", enter=50, exit=40)],
)
(CROWDED,) = PEOPLE_LEVELS.levels


def rgb(hex_color: str) -> str:
    """'#f5c542' as a computed style reads it: 'rgb(245, 197, 66)'."""
    red, green, blue = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


@dataclass
class Live:
    api: Api
    page: Any
    seqs: Iterator[int]

    def observe(self, peak: float, trend: Trend | None, site: str = SITE) -> None:
        self.api.monitor.observe(site, next(self.seqs), time.time(), peak, trend=trend)

    def line(self) -> Any:
        return by_test_id(self.page, "panel-trend")

    def badge(self, site: str = SITE) -> Any:
        return by_test_id(self.page, f"site-trend-{site}")


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return pages_api(make_api, {VIEWER: Role.VIEWER})


def open_live(page: Any, api: Api, site: str = SITE) -> Live:
    """The live page, signed in as the viewer, with `site` selected and live updates on."""
    open_signed_in(page, api, VIEWER, site)
    return Live(api, page, itertools.count(1))


@dataclass(frozen=True)
class Case:
    name: str
    peak: float  # the reading's value: below elevated the next level is elevated
    trend: Trend
    panel: str
    badge: str
    urgency: str
    title: str  # a line of the tooltip, with the numbers behind the words
    color: str | None  # the next level's colour, when the page should take it


def rising(
    value: float, next_level: LevelConfig | None, eta_s: float | None, rate: float = 0.5
) -> Trend:
    return Trend(Direction.RISING, rate, value, next_level, eta_s)


CASES = [
    Case(
        "next level in 90 s",
        1.2,
        rising(1.25, ELEVATED, 90.0),
        "↗ elevated in ~2 min",
        "↗ elevated ~2 min",
        "soon",
        "At this rate it reaches elevated (2.00 peak persons/m²) in about 1 min 30 s.",
        ELEVATED.color,
    ),
    Case(
        "critical in 40 s from elevated",
        3.0,
        rising(3.6, CRITICAL, 40.0, rate=0.6),
        "↗ critical in <1 min",
        "↗ critical <1 min",
        "soon",
        "At this rate it reaches critical (4.00 peak persons/m²) in about 40 s.",
        CRITICAL.color,
    ),
    Case(
        "next level in 240 s",
        1.0,
        rising(1.0, ELEVATED, 240.0, rate=0.25),
        "↗ elevated in ~4 min",
        "↗ elevated ~4 min",
        "later",
        "At this rate it reaches elevated (2.00 peak persons/m²) in about 4 min.",
        ELEVATED.color,
    ),
    Case(
        "past the enter value, holding",
        1.9,
        Trend(Direction.STEADY, 0.02, 2.05, ELEVATED, 0.0),
        "→ elevated threshold reached",
        "→ elevated now",
        "soon",
        "Already at or above elevated (2.00 peak persons/m²)",
        ELEVATED.color,
    ),
    Case(
        "rising beyond the horizon",
        0.5,
        rising(0.5, ELEVATED, None, rate=0.4),
        "↗ rising +0.40 /m² per min",
        "↗ +0.40 /m²/min",
        "",
        "does not reach elevated (2.00 peak persons/m²) within the forecast horizon",
        None,
    ),
    Case(
        "falling",
        1.5,
        Trend(Direction.FALLING, -0.3, 1.5, ELEVATED, None),
        f"↘ falling {MINUS}0.30 /m² per min",
        f"↘ {MINUS}0.30 /m²/min",
        "",
        f"Peak density falling: {MINUS}0.30 /m² per min over the last minutes "
        "(now 1.50 peak persons/m²).",
        None,
    ),
    Case(
        "steady",
        1.5,
        Trend(Direction.STEADY, 0.01, 1.5, ELEVATED, None),
        "→ steady",
        "→ steady",
        "",
        "Next level: elevated (2.00 peak persons/m²).",
        None,
    ),
    Case(
        "rising at the top level",
        4.5,
        rising(4.6, None, None, rate=0.3),
        "↗ rising +0.30 /m² per min",
        "↗ +0.30 /m²/min",
        "",
        "Already at the top level.",
        None,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_live_trend_shows_in_the_panel_and_the_list(page: Any, api: Api, case: Case) -> None:
    live = open_live(page, api)
    trend = case.trend
    live.observe(case.peak, trend)

    line, badge = live.line(), live.badge()
    expect(line).to_have_text(case.panel, timeout=WAIT_MS)
    expect(line).to_be_visible()
    expect(badge).to_have_text(case.badge)
    for node in (line, badge):
        expect(node).to_have_attribute("data-direction", trend.direction.value)
        expect(node).to_have_attribute("data-urgency", case.urgency)
        expect(node).to_have_attribute("title", re.compile(re.escape(case.title)))
        if case.color is not None:
            expect(node).to_have_css("color", rgb(case.color))
        else:
            expect(node).not_to_have_css("color", re.compile("|".join(map(rgb, COLORS.values()))))
    if case.urgency == "soon":
        expect(line).to_have_css("font-weight", "700")
        expect(badge).to_have_css("font-weight", "700")
    # The other site has no trend: its badge stays empty.
    expect(live.badge(OTHER)).to_have_text("")
    expect(live.badge(OTHER)).to_have_attribute("data-direction", "")


def test_a_reading_without_a_trend_clears_it(page: Any, api: Api) -> None:
    live = open_live(page, api)
    live.observe(1.2, rising(1.25, ELEVATED, 90.0))
    expect(live.line()).to_have_text("↗ elevated in ~2 min", timeout=WAIT_MS)
    expect(live.badge()).to_have_text("↗ elevated ~2 min")

    live.observe(1.2, None)
    expect(live.line()).to_be_hidden(timeout=WAIT_MS)
    expect(live.line()).to_have_text("")
    expect(live.line()).to_have_attribute("data-urgency", "")
    expect(live.badge()).to_have_text("")
    expect(live.badge()).to_have_attribute("data-direction", "")
    expect(live.badge()).to_have_attribute("data-urgency", "")
    expect(live.badge()).to_have_attribute("title", "")


def test_a_stale_trend_goes_without_a_new_message(page: Any, api: Api) -> None:
    # A stream that stalls without failing: the site stays online, its last reading ages.
    live = open_live(page, api)
    stale_in_s = 5.0
    at = time.time() - (15.0 - stale_in_s)  # STALE_READING_S in web/js/util.js
    api.monitor.observe(SITE, next(live.seqs), at, 1.2, trend=rising(1.25, ELEVATED, 90.0))
    expect(live.line()).to_have_text("↗ elevated in ~2 min", timeout=WAIT_MS)
    expect(live.badge()).to_have_text("↗ elevated ~2 min")

    expect(live.line()).to_be_hidden(timeout=WAIT_MS)
    expect(live.badge()).to_have_text("")
    assert time.time() - at >= 15.0


def test_an_offline_site_shows_no_trend(page: Any, api: Api) -> None:
    live = open_live(page, api)
    live.observe(1.2, rising(1.25, ELEVATED, 90.0))
    expect(live.badge()).to_have_text("↗ elevated ~2 min", timeout=WAIT_MS)

    # The camera is lost: its last trend no longer says where the crowd is heading.
    offline = SiteStatusPayload(status="offline", reason="no frames for 30 s")
    api.bus.publish(MessageType.SITE_STATUS, SITE, offline)
    expect(by_test_id(page, "panel-status")).to_have_attribute("data-status", "offline")
    expect(live.line()).to_be_hidden(timeout=WAIT_MS)
    expect(live.badge()).to_have_text("")

    # Back online: the next reading brings its trend.
    api.bus.publish(MessageType.SITE_STATUS, SITE, SiteStatusPayload(status="online"))
    live.observe(1.2, rising(1.3, ELEVATED, 200.0))
    expect(live.badge()).to_have_text("↗ elevated ~3 min", timeout=WAIT_MS)
    expect(live.badge()).to_have_attribute("data-urgency", "later")
    expect(live.line()).to_have_text("↗ elevated in ~3 min")


@pytest.mark.parametrize(
    ("rate", "panel", "badge"),
    [
        (12.0, "↗ rising +12 people per min", "↗ +12 ppl/min"),
        (1.5, "↗ rising +1.5 people per min", "↗ +1.5 ppl/min"),
    ],
)
def test_a_count_site_counts_people_per_minute(
    page: Any, api: Api, rate: float, panel: str, badge: str
) -> None:
    # Alerting on the count, with a trend already there when the page opens (the snapshot).
    api.monitor.set_thresholds(OTHER, PEOPLE_LEVELS, by="admin")
    api.monitor.observe(OTHER, 1, time.time(), 1.0, trend=rising(30.0, CROWDED, None, rate))
    live = open_live(page, api, OTHER)

    expect(live.line()).to_have_text(panel, timeout=WAIT_MS)
    expect(live.badge(OTHER)).to_have_text(badge)
    expect(live.line()).to_have_attribute(
        "title",
        re.compile(
            re.escape(f"People rising: {panel.removeprefix('↗ rising ')} over the last minutes")
            + r".*now 30 people\).*"
            + re.escape("does not reach crowded (50 people) within the forecast horizon"),
            re.S,
        ),
    )

    # Within the horizon: the level's time, in its colour.
    live.observe(1.0, rising(40.0, CROWDED, 150.0, rate), site=OTHER)
    expect(live.line()).to_have_text("↗ crowded in ~3 min", timeout=WAIT_MS)
    expect(live.line()).to_have_attribute("data-urgency", "soon")
    expect(live.line()).to_have_css("color", rgb("#f08c00"))
    expect(live.line()).to_have_attribute("title", re.compile(r"\(now 40 people\)"))


def test_the_map_tooltip_names_the_next_level(page: Any, api: Api) -> None:
    live = open_live(page, api)
    live.observe(1.2, rising(1.25, ELEVATED, 90.0))
    expect(live.badge()).to_have_text("↗ elevated ~2 min", timeout=WAIT_MS)

    # The fake's sites share their spot with a platform's pin, which takes the pointer:
    # the hover goes to the marker itself.
    by_test_id(page, f"site-marker-{SITE}").dispatch_event("mouseover")
    tooltip = page.locator(".site-tooltip")
    expect(tooltip).to_contain_text("Level: Normal · ↗ elevated in ~2 min", timeout=WAIT_MS)

    # Without a level in sight the tooltip gives the direction only, not the changing rate.
    live.observe(1.2, rising(1.25, ELEVATED, None, rate=0.4))
    expect(tooltip).to_contain_text("Level: Normal · ↗ rising", timeout=WAIT_MS)
    expect(tooltip).not_to_contain_text("/m²")
