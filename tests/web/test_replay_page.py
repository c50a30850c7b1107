"""The replay page in a real Chromium: recorded through the real pipeline, replayed from an
alert, with the video sought to the alert's moment and the analysis in step with it."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.application import Application, build_application
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from monitor.motion.measure import Motion
from tests.integration.test_replay import SITE, TIMELINE, full_disk, site_config
from tests.support.auth import add_user, api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.browser import (
    by_test_id,
    require_chromium,
    sign_in,
    skew_wall_clock,
    sync_api,
)
from tests.support.fake_monitor import stored_reading
from tests.support.recording import write_marked_clip
from tests.support.server import RunningServer, running_server

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Longer than the shared WAIT_MS: replay waits on videos loading and seeking.
WAIT_MS = 30_000
OPERATOR = "li"
OTHER = "huangxing"


@dataclass
class Recorded:
    application: Application
    server: RunningServer
    alert: dict[str, Any]
    segments: list[dict[str, Any]]


@contextmanager
def serving(
    sites: list[dict[str, Any]], folder: Path
) -> Iterator[tuple[Application, RunningServer, httpx.Client]]:
    """The product recording `sites`, OPERATOR signed up, and an operator's API client."""
    config = AppConfig.model_validate({"sites": sites})
    settings = Settings(data_dir=folder / "data", sample_cache=folder / "cache")
    application = build_application(config, settings, estimator=BlobCountEstimator())
    app = application.start()
    try:
        assert application.auth is not None
        add_user(application.auth, OPERATOR, Role.OPERATOR)
        token = api_token(application.auth, "probe", Role.OPERATOR)
        with (
            running_server(app) as server,
            httpx.Client(base_url=server.base_url, headers=bearer(token)) as http,
        ):
            yield application, server, http
    finally:
        application.stop()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    require_chromium()  # before the costly recording, whichever fixture runs first
    tmp = tmp_path_factory.mktemp("replay-page")
    clip = write_marked_clip(tmp / "crowd.avi", TIMELINE)
    other = site_config(clip) | {"id": OTHER, "name": {"en": "Huangxing Road", "zh": "黄兴路"}}
    with serving([site_config(clip), other], tmp) as (application, server, http):
        deadline = time.monotonic() + 60
        while True:
            alerts = [a for a in http.get("/api/alerts").json() if a["site_id"] == SITE]
            segments = http.get(f"/api/sites/{SITE}/recordings").json()
            covered = [
                s for a in alerts for s in segments if s["start"] + 0.3 < a["raised_at"] < s["end"]
            ]
            if covered:
                break
            assert time.monotonic() < deadline, "no recorded alert within 60 s"
            time.sleep(0.3)
        alert = next(a for a in alerts if any(s in covered for s in segments))
        yield Recorded(application, server, alert, segments)


def video_time(page: Any, site: str) -> float:
    value: float = page.evaluate(
        "(id) => document.querySelector(`[data-testid=replay-video-${id}]`).currentTime", site
    )
    return value


def segment_holding(recorded: Recorded, at: float) -> dict[str, Any]:
    return next(s for s in recorded.segments if s["start"] <= at <= s["end"])


def wait_for_video_at(page: Any, site: str, offset: float) -> None:
    page.wait_for_function(
        """([id, want]) => {
            const v = document.querySelector(`[data-testid=replay-video-${id}]`);
            return v && v.readyState >= 2 && !v.seeking && Math.abs(v.currentTime - want) < 0.05;
        }""",
        arg=[site, offset],
        timeout=WAIT_MS,
    )


def test_replay_from_an_alert_seeks_the_video_to_the_alert(page: Any, recorded: Recorded) -> None:
    at = recorded.alert["raised_at"]
    segment = segment_holding(recorded, at)
    page.goto(recorded.server.url(f"/replay.html?site={SITE}&at={at}"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    lane = by_test_id(page, f"replay-lane-{SITE}")
    expect(lane).to_have_attribute("data-state", "video", timeout=WAIT_MS)
    expect(lane).to_have_attribute("data-segment-id", str(segment["id"]), timeout=WAIT_MS)
    wait_for_video_at(page, SITE, at - segment["start"])
    assert float(by_test_id(page, "replay-clock").get_attribute("data-t")) == pytest.approx(
        at, abs=0.002
    )
    # The overlay is drawn from the reading at the alert's moment: the one that raised it.
    expect(lane).to_have_attribute("data-reading-at", str(at), timeout=WAIT_MS)
    expect(by_test_id(page, "replay-mark-raised").first).to_be_attached()


def test_the_readout_says_how_the_crowd_moved_as_recorded(page: Any, recorded: Recorded) -> None:
    at = recorded.alert["raised_at"]
    store = recorded.application.store
    assert store is not None
    [reading] = store.readings(SITE, at - 0.01, at + 0.01, limit=5)
    assert reading.motion is not None  # the pipeline measured it: the clip's frames follow
    page.goto(recorded.server.url(f"/replay.html?site={SITE}&at={at}"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    lane = by_test_id(page, f"replay-lane-{SITE}")
    expect(lane).to_have_attribute("data-reading-at", str(at), timeout=WAIT_MS)
    readout = by_test_id(page, f"replay-readout-{SITE}")
    expect(readout).to_contain_text(f"· moving {reading.motion.speed_m_s:.1f} m/s")
    expect(readout).to_have_attribute("data-turbulent", str(reading.motion.turbulent).lower())


def test_timeline_click_seeks_and_play_advances(page: Any, recorded: Recorded) -> None:
    first = recorded.segments[0]
    at = first["start"] + 0.5
    page.goto(recorded.server.url(f"/replay.html?site={SITE}&at={at}&window=60"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    wait_for_video_at(page, SITE, 0.5)
    # Click the middle of the timeline: the clock goes to the middle of the shown window.
    timeline = by_test_id(page, f"replay-timeline-{SITE}")
    timeline.click()
    clock = float(by_test_id(page, "replay-clock").get_attribute("data-t"))
    assert clock == pytest.approx(at, abs=1.5)
    # Step a frame forward: a tenth of a second at 10 fps.
    before = float(by_test_id(page, "replay-clock").get_attribute("data-t"))
    by_test_id(page, "replay-step-forward").click()
    after = float(by_test_id(page, "replay-clock").get_attribute("data-t"))
    assert after - before == pytest.approx(0.1, abs=0.02)
    by_test_id(page, "replay-speed").select_option("2")
    by_test_id(page, "replay-play").click()
    page.wait_for_function(
        "(t) => Number(document.querySelector('[data-testid=replay-clock]').dataset.t) > t",
        arg=after + 0.5,
        timeout=WAIT_MS,
    )
    by_test_id(page, "replay-play").click()  # pause


def test_two_sites_share_one_clock(page: Any, recorded: Recorded) -> None:
    at = recorded.alert["raised_at"]
    page.goto(recorded.server.url(f"/replay.html?site={SITE},{OTHER}&at={at}"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    for site in (SITE, OTHER):
        expect(by_test_id(page, f"replay-lane-{site}")).to_have_attribute(
            "data-state", "video", timeout=WAIT_MS
        )
    # Both videos show the same wall-clock moment, though their segments start apart.
    for site in (SITE, OTHER):
        page.wait_for_function(
            """([id, at]) => {
                const lane = document.querySelector(`[data-testid=replay-lane-${id}]`);
                const v = document.querySelector(`[data-testid=replay-video-${id}]`);
                return lane && v.readyState >= 2 && !v.seeking && lane.dataset.segmentStart !== ""
                    && Math.abs(Number(lane.dataset.segmentStart) + v.currentTime - at) < 0.05;
            }""",
            arg=[site, at],
            timeout=WAIT_MS,
        )


def test_replay_opens_from_the_alert_in_the_live_feed(page: Any, recorded: Recorded) -> None:
    alert_id = recorded.alert["id"]
    at = recorded.alert["raised_at"]
    segment = segment_holding(recorded, at)
    page.goto(recorded.server.url("/"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    link = by_test_id(page, f"alert-replay-{alert_id}")
    expect(link).to_be_visible(timeout=WAIT_MS)
    with page.context.expect_page() as opened:
        link.click()
    replay = opened.value
    lane = by_test_id(replay, f"replay-lane-{SITE}")
    expect(lane).to_have_attribute("data-segment-id", str(segment["id"]), timeout=WAIT_MS)
    wait_for_video_at(replay, SITE, at - segment["start"])
    expect(by_test_id(replay, "replay-clock")).to_have_attribute(
        "data-t", f"{at:.3f}", timeout=WAIT_MS
    )


def test_an_outage_shows_on_the_timeline_and_says_why_nothing_plays(
    page: Any, recorded: Recorded
) -> None:
    # An hour ahead, where nothing is recorded: the camera offline for 20 s from `down`.
    down = round(time.time()) + 3600.0
    store = recorded.application.store
    assert store is not None
    store.record_status([OTHER], down, "offline", "cannot open rtsp://cam-3/stream")
    store.record_status([OTHER], down + 20, "online", "")

    page.goto(recorded.server.url(f"/replay.html?site={OTHER}&at={down + 10}&window=60"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)

    lane = by_test_id(page, f"replay-lane-{OTHER}")
    expect(lane).to_have_attribute("data-state", "camera-offline", timeout=WAIT_MS)
    expect(by_test_id(page, f"replay-no-video-{OTHER}")).to_have_text(
        "Camera offline at this time (cannot open rtsp://cam-3/stream)."
    )
    band = by_test_id(page, f"replay-outage-{OTHER}")
    expect(band).to_have_count(1)
    expect(band).to_have_attribute("data-start", str(int(down)))
    expect(band).to_have_attribute("title", re.compile(r": cannot open rtsp://cam-3/stream$"))
    # The two minutes shown (a minute either side) run from 50 s before it began.
    timeline = by_test_id(page, f"replay-timeline-{OTHER}").bounding_box()
    box = band.bounding_box()
    assert box["width"] == pytest.approx(timeline["width"] * 20 / 120, abs=2)
    assert box["x"] - timeline["x"] == pytest.approx(timeline["width"] * 50 / 120, abs=2)

    # Past it (a click three quarters along: 40 s after it began), nothing was reported.
    by_test_id(page, f"replay-timeline-{OTHER}").click(
        position={"x": 0.75 * timeline["width"], "y": timeline["height"] / 2}
    )
    expect(lane).to_have_attribute("data-state", "no-recording", timeout=WAIT_MS)
    expect(by_test_id(page, f"replay-no-video-{OTHER}")).to_have_text(
        "Nothing recorded at this time."
    )


def test_a_turbulent_stretch_shows_on_the_timeline_and_under_the_chart(
    page: Any, recorded: Recorded
) -> None:
    # Two hours ahead, where nothing else is stored: a minute of readings, the crowd
    # turbulent from 20 s to 35 s in, its pressure highest (0.061/s²) at 30 s.
    ahead = round(time.time()) + 7200.0
    store = recorded.application.store
    assert store is not None
    readings = []
    for k in range(60):
        turbulent = 20 <= k <= 35
        pressure = (0.061 if k == 30 else 0.04) if turbulent else 0.003
        motion = Motion(speed_m_s=0.9, pressure=pressure, turbulent=turbulent)
        reading = stored_reading(OTHER, 10_000 + k, ahead + k, 3.0)
        readings.append(dataclasses.replace(reading, motion=motion))
    store.add_readings(readings)

    page.goto(recorded.server.url(f"/replay.html?site={OTHER}&at={ahead + 30}&window=60"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    band = by_test_id(page, f"replay-turbulent-{OTHER}")
    expect(band).to_have_count(1, timeout=WAIT_MS)
    expect(band).to_have_attribute("data-start", str(int(ahead + 20)))
    expect(band).to_have_attribute("data-end", str(int(ahead + 35)))
    expect(band).to_have_attribute("title", re.compile(r", up to 0\.061/s² crowd pressure$"))
    # The two minutes shown run from a minute before `ahead + 30`: the band is 15 s of them,
    # 50 s in.
    timeline = by_test_id(page, f"replay-timeline-{OTHER}").bounding_box()
    box = band.bounding_box()
    assert box["width"] == pytest.approx(timeline["width"] * 15 / 120, abs=2)
    assert box["x"] - timeline["x"] == pytest.approx(timeline["width"] * 50 / 120, abs=2)
    expect(by_test_id(page, f"replay-chart-{OTHER}")).to_have_attribute("data-turbulent-spans", "1")
    # Paused, the chart's cursor stands at the clock's time: the middle of the window.
    page.wait_for_function(
        """(id) => {
            const over = document.querySelector(`[data-testid=replay-chart-${id}] .u-over`);
            const cursor = document.querySelector(`[data-testid=replay-chart-cursor-${id}]`);
            const [a, b] = [over.getBoundingClientRect(), cursor.getBoundingClientRect()];
            return Math.abs(b.left - a.left - a.width / 2) <= 2;
        }""",
        arg=OTHER,
        timeout=WAIT_MS,
    )


SPAN_CASES = [
    pytest.param([], [], id="nothing-read"),
    pytest.param([(0, 0.003, False), (1, 0.002, False)], [], id="calm"),
    pytest.param(
        [(0, 0.003, False), (1, 0.04, True), (2, 0.05, True), (3, 0.03, True), (4, 0.0, False)],
        [(1, 3, 0.05)],
        id="one-run-with-its-peak",
    ),
    pytest.param(
        [(0, 0.04, True), (1, 0.04, True), (8, 0.06, True), (9, 0.04, True)],
        [(0, 1, 0.04), (8, 9, 0.06)],
        id="a-gap-longer-than-5-s-splits-it",
    ),
    pytest.param(
        [(0, 0.04, True), (1, None, False), (2, 0.05, True)],
        [(0, 0, 0.04), (2, 2, 0.05)],
        id="an-unmeasured-reading-ends-it",
    ),
    pytest.param([(5, 0.02, True)], [(5, 5, 0.02)], id="a-single-turbulent-reading"),
]


@pytest.mark.parametrize(("readings", "spans"), SPAN_CASES)
def test_turbulent_spans_from_readings(
    page: Any,
    recorded: Recorded,
    readings: list[tuple[float, float | None, bool]],
    spans: list[tuple[float, float, float]],
) -> None:
    page.goto(recorded.server.url("/replay.html"))
    got = page.evaluate(
        """async (rows) => {
            const { turbulentSpans } = await import('/js/replay/timeline.js');
            const readings = rows.map(([t, pressure, turbulent]) => ({
                captured_at: t,
                motion: pressure === null ? null : { speed_m_s: 1, pressure, turbulent },
            }));
            return turbulentSpans(readings).map((s) => [s.start, s.end, s.peak]);
        }""",
        [list(r) for r in readings],
    )
    assert got == [list(span) for span in spans]


def test_whatif_panel_compares_with_the_thresholds_in_force(page: Any, recorded: Recorded) -> None:
    at = recorded.alert["raised_at"]
    page.goto(recorded.server.url(f"/replay.html?site={SITE}&at={at}&window=60"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    page.locator("#whatif-panel summary").click()
    thresholds = by_test_id(page, "whatif-thresholds")
    expect(thresholds).to_have_value(re.compile('"metric": "count"'), timeout=WAIT_MS)
    # The thresholds in force, unchanged: the same alerts at the same times.
    by_test_id(page, "whatif-run").click()
    summary = by_test_id(page, "whatif-summary")
    expect(summary).to_be_visible(timeout=WAIT_MS)
    expect(by_test_id(page, "whatif-pairs")).to_contain_text("at the same time")
    # The crowd steps up at once: the trend had nothing to see coming.
    expect(summary.locator("tr").nth(4)).to_have_text("Trend warned of itnot warnednot warned")
    # A candidate that never fires.
    candidate = json.loads(thresholds.input_value())
    candidate["levels"][0] |= {"enter": 1000, "exit": 999}
    thresholds.fill(json.dumps(candidate))
    by_test_id(page, "whatif-run").click()
    expect(summary.locator("tr").nth(1)).to_contain_text("Alerts raised0", timeout=WAIT_MS)
    expect(summary.locator("tr").nth(4)).to_have_text("Trend warned of it\u2013not warned")


def test_a_full_disk_shows_a_warning_on_the_live_page(page: Any, tmp_path: Path) -> None:
    clip = write_marked_clip(tmp_path / "crowd.avi", TIMELINE)
    config = AppConfig.model_validate({"sites": [site_config(clip)]})
    settings = Settings(data_dir=tmp_path / "data", sample_cache=tmp_path / "cache")
    application = build_application(config, settings, estimator=BlobCountEstimator())
    application.recording_opener = full_disk
    app = application.start()
    try:
        assert application.auth is not None
        add_user(application.auth, OPERATOR, Role.OPERATOR)
        with running_server(app) as server:
            page.goto(server.url("/"))
            sign_in(page, OPERATOR, wait_ms=WAIT_MS)
            banner = by_test_id(page, "recording-banner")
            expect(banner).to_be_visible(timeout=WAIT_MS)
            expect(banner).to_contain_text("Recording paused at Wuyi Square")
            expect(banner).to_contain_text("No space left on device")
    finally:
        application.stop()


def test_replay_reaches_the_present_though_the_segment_is_still_being_written(
    page: Any, tmp_path: Path
) -> None:
    clip = write_marked_clip(tmp_path / "crowd.avi", TIMELINE)
    site = site_config(clip)
    site["recording"] = {"policy": "continuous", "segment_s": 600}  # no segment closes here
    with serving([site], tmp_path) as (_, server, http):
        deadline = time.monotonic() + 60
        while http.get(f"/api/sites/{SITE}").json()["recording"]["status"] != "recording":
            assert time.monotonic() < deadline, "not recording within 60 s"
            time.sleep(0.2)
        time.sleep(2.0)
        assert http.get(f"/api/sites/{SITE}/recordings").json() == []
        at = time.time() - 1.0
        page.goto(server.url(f"/replay.html?site={SITE}&at={at}"))
        sign_in(page, OPERATOR, wait_ms=WAIT_MS)
        lane = by_test_id(page, f"replay-lane-{SITE}")
        expect(lane).to_have_attribute("data-state", "video", timeout=WAIT_MS)
        [closed] = http.get(f"/api/sites/{SITE}/recordings").json()
        assert closed["start"] <= at <= closed["end"]

        # "Latest" goes to the last 30 s, closing what was recorded since first (a segment
        # under a second old stays open: wait until this one is older).
        time.sleep(1.5)
        clicked = time.time()
        by_test_id(page, "replay-latest").click()
        page.wait_for_function(
            "(want) => Math.abs(Number(document.querySelector("
            "'[data-testid=replay-clock]').dataset.t) - want) < 2",
            arg=clicked - 30,
            timeout=WAIT_MS,
        )
        expect(lane.locator(".rec")).to_have_count(2, timeout=WAIT_MS)
        later = http.get(f"/api/sites/{SITE}/recordings").json()
        assert later[0]["start"] == closed["start"]
        assert later[-1]["end"] >= clicked - 1.0


@pytest.mark.parametrize("skew_s", [600.0, -600.0], ids=["clock-fast", "clock-slow"])
def test_replay_opens_two_minutes_back_by_the_servers_clock(
    page: Any, recorded: Recorded, skew_s: float
) -> None:
    """Without `at`, the page opens on what just happened, though this computer's clock is
    ten minutes off (it would open on footage not recorded yet, or long gone by)."""
    skew_wall_clock(page, skew_s)
    page.goto(recorded.server.url(f"/replay.html?site={SITE}"))
    sign_in(page, OPERATOR, wait_ms=WAIT_MS)
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    shown = float(by_test_id(page, "replay-clock").get_attribute("data-t") or "nan")
    assert abs(shown - (time.time() - 120)) < 10
