"""Poor-picture warnings on the live and replay pages, in a real Chromium against the real
server: the site panel's warning line, the site list's flag and the map marker.

Two cameras are fed one textured frame the test draws; each site's `image_quality` limits
are set just past that frame's own measures, so the real assessment flags exactly the
issues a case asks for. Which pixels should raise which issue is the quality module's
business (tests/quality); here the question is what the operator sees once it has.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.density.base import Frame
from monitor.quality.assess import FrameQuality, assess_frame
from tests.support.blobs import FRAME_SIZE
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.config import minimal_site
from tests.support.live_demo import LiveDemo, live_demo
from tests.support.sources import PushedSources

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POOR = "pozi-street"  # limits per case: flags the case's issues
GOOD = "huangxing-road"  # limits no picture reaches: assessed, no issues
UNASSESSED = "wuyi-square"  # assessment off: image_quality is null
OPERATOR = "li.wei"
NO_VALUE = "\u2013"  # what the panel's numbers show before a reading

ROI = [[0, 0], [FRAME_SIZE[0], 0], [FRAME_SIZE[0], FRAME_SIZE[1]], [0, FRAME_SIZE[1]]]
# Whatever the textured frame counts, no alert: the alert feed is not under test here.
NO_ALERTS: dict[str, Any] = {
    "metric": "count",
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 100_000, "exit": 99_999}],
}
NEUTRAL_LIMITS: dict[str, Any] = {
    "window_frames": 1,
    "noise_limit": 100,
    "detail_limit": 0,
    "blocking_limit": 10,
    "blank_spread_limit": 0,
}


def mosaic(smooth: bool = False) -> Frame:
    """Random 8-pixel blocks with a little sensor noise: every measure well off zero (noise,
    detail, coding-grid edges, spread). `smooth`: the same scene, cleanly interpolated,
    with no blocks and far less fine detail."""
    rng = np.random.default_rng(7)
    blocks = rng.integers(60, 200, (FRAME_SIZE[1] // 8, FRAME_SIZE[0] // 8)).astype(np.float32)
    if smooth:
        grey = cv2.resize(blocks, FRAME_SIZE, interpolation=cv2.INTER_CUBIC)
    else:
        grey = cv2.resize(blocks, FRAME_SIZE, interpolation=cv2.INTER_NEAREST)
        grey = grey + rng.normal(0.0, 3.0, size=grey.shape)
    image: Frame = np.repeat(np.clip(grey, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    return image


FRAME = mosaic()
MEASURED = assess_frame(FRAME)


def flagging(issues: tuple[str, ...], measured: FrameQuality = MEASURED) -> dict[str, Any]:
    """Limits that flag exactly `issues` in a picture measuring `measured`."""
    assert measured.noise > 0
    assert measured.blocking > 1.2
    assert measured.spread < 50
    assert 0 < measured.detail < 2.5
    past = {
        "noise": {"noise_limit": measured.noise / 2},
        "detail_loss": {"detail_limit": measured.detail * 2},
        "blocking": {"blocking_limit": (1 + measured.blocking) / 2},
        "blank": {"blank_spread_limit": measured.spread * 2},
    }
    limits = dict(NEUTRAL_LIMITS)
    for issue in issues:
        limits |= past[issue]
    return limits


def site(
    site_id: str, name: tuple[str, str], lon: float, image_quality: dict[str, Any]
) -> dict[str, Any]:
    return minimal_site(
        id=site_id,
        name={"en": name[0], "zh": name[1]},
        location={"lat": 28.194, "lon": lon},
        analysis_fps=10,
        roi=ROI,
        thresholds=NO_ALERTS,
        image_quality={"enabled": True} | image_quality,
    )


def demo_config(poor_limits: dict[str, Any]) -> AppConfig:
    sites = [
        site(UNASSESSED, ("Wuyi Square", "五一广场"), 112.970, {"enabled": False}),
        site(POOR, ("Pozi Street", "坡子街"), 112.975, poor_limits),
        site(GOOD, ("Huangxing Road", "黄兴路"), 112.980, NEUTRAL_LIMITS),
    ]
    return AppConfig.model_validate(
        {"map": {"center": [28.194, 112.975], "zoom": 15, "tile_url": ""}, "sites": sites}
    )


class Cameras:
    """Pushes `frame` to some sites' sources a few times a second; swap `frame` to change
    what they see."""

    def __init__(self, sources: PushedSources, site_ids: list[str], frame: Frame) -> None:
        self.sources = sources
        self.site_ids = site_ids
        self.frame = frame
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cameras", daemon=True)

    def __enter__(self) -> Cameras:
        for site_id in self.site_ids:
            self.sources.by_site[site_id].report("online", "test camera")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            for site_id in self.site_ids:
                self.sources.by_site[site_id].push(self.frame, captured_at=time.time())
            self._stop.wait(0.2)


@dataclass
class Demo:
    live: LiveDemo
    cameras: Cameras


@contextmanager
def demos(tmp_path: Path, user: str, role: Role) -> Iterator[Callable[[dict[str, Any]], Demo]]:
    """Starts the product with POOR's limits as given, `user` signed up as `role`; at most
    once per test."""
    require_web_assets()
    with ExitStack() as stack:

        def make(poor_limits: dict[str, Any]) -> Demo:
            config = demo_config(poor_limits)
            live = stack.enter_context(live_demo(config, tmp_path, {user: role}, UNASSESSED))
            cameras = stack.enter_context(Cameras(live.sources, [POOR, GOOD], FRAME))
            return Demo(live, cameras)

        yield make


@pytest.fixture
def make_demo(tmp_path: Path) -> Iterator[Any]:
    with demos(tmp_path, OPERATOR, Role.OPERATOR) as make:
        yield make


def open_live_page(page: Any, demo: Demo) -> None:
    page.goto(demo.live.server.base_url + "/")
    sign_in(page, OPERATOR)
    expect(by_test_id(page, "connection-status")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )


def select_site(page: Any, site_id: str) -> None:
    by_test_id(page, f"site-row-{site_id}").locator("button").click()
    expect(by_test_id(page, "site-panel")).to_have_attribute("data-site-id", site_id)
    # The panel has a reading to judge (the count is shown) before its warning is checked.
    expect(by_test_id(page, "stat-count")).not_to_have_text(NO_VALUE, timeout=WAIT_MS)


def expect_no_warning(page: Any, site_id: str) -> None:
    warning = by_test_id(page, "panel-quality")
    expect(warning).to_be_hidden(timeout=WAIT_MS)
    expect(warning).to_have_attribute("data-issues", "")
    expect(warning).to_have_text("")
    flag = by_test_id(page, f"site-picture-{site_id}")
    expect(flag).to_be_hidden()
    expect(flag).to_have_attribute("data-issues", "")
    expect(flag).not_to_have_attribute("aria-label", re.compile(".*"))
    expect(by_test_id(page, f"site-marker-{site_id}")).to_have_attribute("data-picture-issues", "")


def measured_in(title: str, name: str) -> float:
    found = re.search(rf"{name} ([\d.]+)", title)
    assert found, f"no {name} in {title!r}"
    return float(found.group(1))


POOR_CASES = [
    pytest.param(("noise",), "Picture: grainy (night or high gain): counts may be off", id="noise"),
    pytest.param(("detail_loss",), "Picture: starved stream or blur: counts read low", id="detail"),
    pytest.param(("blocking",), "Picture: heavy compression: counts may be off", id="blocking"),
    pytest.param(
        ("noise", "detail_loss"),
        "Picture: grainy (night or high gain), starved stream or blur: counts may be off",
        id="noise-and-detail",
    ),
    # Every limit is passed, but a blank picture is reported alone.
    pytest.param(
        ("blank", "noise", "detail_loss", "blocking"),
        "Picture blank (lens covered?): count meaningless",
        id="blank-outweighs-the-rest",
    ),
]


@pytest.mark.parametrize(("limits_passed", "text"), POOR_CASES)
def test_poor_picture_is_flagged_in_panel_list_and_map(
    page: Any, make_demo: Any, limits_passed: tuple[str, ...], text: str
) -> None:
    demo = make_demo(flagging(limits_passed))
    shown = "blank" if "blank" in limits_passed else " ".join(limits_passed)
    open_live_page(page, demo)

    # The list flags the site next to its count, before anyone selects it.
    flag = by_test_id(page, f"site-picture-{POOR}")
    expect(flag).to_be_visible(timeout=WAIT_MS)
    expect(flag).to_have_attribute("data-issues", shown)
    expect(flag).to_have_attribute("role", "img")
    expect(flag).to_have_attribute("aria-label", text)
    expect(flag).to_have_attribute("title", re.compile(re.escape(text)))
    expect(by_test_id(page, f"site-marker-{POOR}")).to_have_attribute("data-picture-issues", shown)

    # The panel says what is wrong under the numbers, with the measures behind it.
    select_site(page, POOR)
    warning = by_test_id(page, "panel-quality")
    expect(warning).to_be_visible(timeout=WAIT_MS)
    expect(warning).to_have_text(text)
    expect(warning).to_have_attribute("data-issues", shown)
    expect(warning).to_have_attribute("role", "status")
    expect(warning).to_have_attribute("data-severity", "bad" if shown == "blank" else "warn")
    title = warning.get_attribute("title") or ""
    assert measured_in(title, "noise") == pytest.approx(MEASURED.noise, abs=0.06)
    assert measured_in(title, "fine detail") == pytest.approx(MEASURED.detail, abs=0.006)
    assert measured_in(title, "blocking") == pytest.approx(MEASURED.blocking, abs=0.006)
    assert measured_in(title, "spread") == pytest.approx(MEASURED.spread, abs=0.06)
    expect(by_test_id(page, "stat-count")).to_have_class(re.compile(r"\bdoubtful\b"))

    # The map marker's tooltip says it too.
    by_test_id(page, f"site-marker-{POOR}").hover()
    tooltip = page.locator(".site-tooltip")
    expect(tooltip).to_contain_text(text, timeout=WAIT_MS)
    expect(tooltip).not_to_contain_text("null")

    # The sites whose picture is fine (or not judged) carry no flag.
    for other in (GOOD, UNASSESSED):
        expect(by_test_id(page, f"site-picture-{other}")).to_be_hidden()


@pytest.mark.parametrize(
    ("site_id", "quality"),
    [
        pytest.param(GOOD, {"issues": []}, id="good-picture"),
        pytest.param(UNASSESSED, None, id="not-assessed"),
    ],
)
def test_good_or_unassessed_picture_hides_the_warning(
    page: Any, make_demo: Any, site_id: str, quality: dict[str, Any] | None
) -> None:
    demo = make_demo(flagging(("noise",)))
    open_live_page(page, demo)
    # A poor site first, so the warning is on screen and must go.
    select_site(page, POOR)
    expect(by_test_id(page, "panel-quality")).to_be_visible(timeout=WAIT_MS)

    select_site(page, site_id)
    latest = page.evaluate(
        "(id) => window.crowdMonitor.state.sites.get(id).latest?.image_quality ?? null", site_id
    )
    # What the reading carries is what the case says (an assessed good picture, or none).
    assert (latest if quality is None else {"issues": latest["issues"]}) == quality
    expect_no_warning(page, site_id)
    expect(by_test_id(page, "stat-count")).not_to_have_class(re.compile(r"\bdoubtful\b"))


def test_warning_follows_the_picture_live(page: Any, make_demo: Any) -> None:
    smooth = assess_frame(mosaic(smooth=True))
    # A blocking limit between the two pictures, clear of the margin an issue needs to clear.
    limit = (MEASURED.blocking * smooth.blocking) ** 0.5
    assert smooth.blocking * 1.2 < limit < MEASURED.blocking
    demo = make_demo(NEUTRAL_LIMITS | {"blocking_limit": limit})
    open_live_page(page, demo)
    select_site(page, POOR)
    warning = by_test_id(page, "panel-quality")
    expect(warning).to_have_attribute("data-issues", "blocking", timeout=WAIT_MS)
    expect(warning).to_be_visible()

    # The stream recovers: the next readings carry no issues, and the warnings go.
    demo.cameras.frame = mosaic(smooth=True)
    expect_no_warning(page, POOR)

    # And come back with the blocks, without reselecting the site.
    demo.cameras.frame = FRAME
    expect(warning).to_have_attribute("data-issues", "blocking", timeout=WAIT_MS)
    expect(warning).to_have_text("Picture: heavy compression: counts may be off")
    expect(by_test_id(page, f"site-picture-{POOR}")).to_be_visible()


def stored_reading_time(demo: Demo, site_id: str) -> float:
    store = demo.live.application.store
    assert store is not None
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        readings = store.readings(site_id, None, None, 1)
        if readings:
            return readings[-1].captured_at
        assert time.monotonic() < deadline, f"no reading stored for {site_id}"
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("site_id", "issues", "text"),
    [
        pytest.param(
            POOR, "noise", "Picture: grainy (night or high gain): counts may be off", id="poor"
        ),
        pytest.param(GOOD, "", "", id="good"),
        pytest.param(UNASSESSED, "", "", id="not-assessed"),
    ],
)
def test_replay_shows_the_picture_of_the_moment(
    page: Any, make_demo: Any, site_id: str, issues: str, text: str
) -> None:
    demo = make_demo(flagging(("noise",)))
    at = stored_reading_time(demo, site_id)
    page.goto(demo.live.server.url(f"/replay.html?site={site_id}&at={at}&window=60"))
    sign_in(page, OPERATOR)
    lane = by_test_id(page, f"replay-lane-{site_id}")
    expect(lane).to_have_attribute("data-reading-at", re.compile(r"\d"), timeout=WAIT_MS)
    picture = by_test_id(page, f"replay-picture-{site_id}")
    expect(picture).to_have_attribute("data-issues", issues)
    expect(picture).to_have_text(text)
    if issues:
        expect(picture).to_be_visible()
        assert measured_in(picture.get_attribute("title") or "", "noise") == pytest.approx(
            MEASURED.noise, abs=0.06
        )
    else:
        expect(picture).to_be_hidden()
