"""The camera-health page in a real Chromium, against the real server and store.

Readings with a known picture are stored for the in-test monitor's two sites (the API
tests' harness, serving the page): gate-a had a good, grainy, missing, compressed,
unassessed and finally blank picture over the last hours, and a starved stream three days
ago; gate-b was never analysed. Each number the page shows is checked against what follows
from those readings, not against the API's own answer.
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from monitor.application import WEB_DIR
from monitor.auth.roles import Role
from monitor.quality.outages import RecordedStatus
from monitor.quality.verdict import QualityIssue
from monitor.store.base import StoredReading
from tests.support.api_harness import Api, ApiFactory
from tests.support.auth import add_user
from tests.support.browser import WAIT_MS, by_test_id, require_web_assets, sign_in, sync_api
from tests.support.fake_monitor import picture_verdict as verdict
from tests.support.fake_monitor import stored_reading

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

POOR = "gate-a"  # a picture with a history
DARK = "gate-b"  # never analysed
VIEWER = "zhao.min"  # the page is for everyone signed in
HOUR = 3600.0
DAY = 24 * HOUR
# The fake monitor analyses at 2 fps: a reading vouches for 5 s, so one every 5 s leaves
# no gap, and none for longer leaves the time dark.
STEP_S = 5.0
BINS = 48

BLANK, NOISE, DETAIL, BLOCKING = (
    QualityIssue.BLANK,
    QualityIssue.NOISE,
    QualityIssue.DETAIL_LOSS,
    QualityIssue.BLOCKING,
)
# The words of pictureWarning() in web/js/util.js, which every page shares.
LABELS = {
    "blank": "blank (lens covered?)",
    "noise": "grainy (night or high gain)",
    "detail_loss": "starved stream or blur",
    "blocking": "heavy compression",
}


@dataclass(frozen=True)
class Stretch:
    """Readings every STEP_S from `start` (seconds from now) for `length` seconds."""

    start: float
    length: float
    issues: tuple[QualityIssue, ...] | None  # (): a good picture; None: not assessed

    @property
    def state(self) -> str:
        if self.issues is None:
            return "unassessed"
        return "poor" if self.issues else "good"


STORED = [
    Stretch(-3 * DAY, 30 * 60, (DETAIL,)),  # only in a span of more than 3 days
    Stretch(-5 * HOUR, HOUR, ()),
    Stretch(-4 * HOUR, HOUR, (NOISE,)),  # the longest poor stretch
    # Nothing from -3 h to -2 h: see STATUS.
    Stretch(-2 * HOUR, 30 * 60, ()),
    Stretch(-1.5 * HOUR, 20 * 60, (BLOCKING,)),
    Stretch(-70 * 60, 10 * 60, None),
]
# The latest reading, through the monitor: the picture now. It vouches for STEP_S.
LATEST = Stretch(-HOUR, STEP_S, (BLANK,))

# The recorded status of both sites (seconds from now, status, reason, sites). In gate-a's
# hour without readings: 20 min offline (its reason changed on the way), 15 min with the
# monitor stopped, then 25 min of nothing reported (dark).
OFFLINE_SINCE = -3 * HOUR + STEP_S
STATUS: list[tuple[float, RecordedStatus, str, tuple[str, ...]]] = [
    (-6 * HOUR, "starting", "", (POOR, DARK)),
    (-6 * HOUR + 1, "online", "", (POOR,)),
    (OFFLINE_SINCE, "offline", "no frames for 10 s", (POOR,)),
    (OFFLINE_SINCE + 600, "offline", "cannot open rtsp://gate-a", (POOR,)),
    (OFFLINE_SINCE + 1200, "stopped", "", (POOR, DARK)),
    (OFFLINE_SINCE + 2100, "starting", "", (POOR, DARK)),
    (OFFLINE_SINCE + 2101, "online", "", (POOR,)),
]


@dataclass
class Health:
    api: Api
    now: float  # what the stretches' times are from

    def times(self, since: float, until: float) -> dict[str, float]:
        """Seconds of gate-a's picture in each state over [since, until), from STORED and
        STATUS (its offline and stopped spans all fall where it has no readings)."""
        times = dict.fromkeys(("good", "poor", "unassessed", "offline", "stopped"), 0.0)
        for stretch in [*STORED, LATEST]:
            start = max(since, self.now + stretch.start)
            end = min(until, self.now + stretch.start + stretch.length)
            if end > start:
                times[stretch.state] += end - start
        for state, (start, end) in (("offline", (0, 1200)), ("stopped", (1200, 2100))):
            start = max(since, self.now + OFFLINE_SINCE + start)
            end = min(until, self.now + OFFLINE_SINCE + end)
            times[state] += max(0.0, end - start)
        times["dark"] = until - since - sum(times.values())
        return times

    def issue_times(self, since: float, until: float) -> dict[str, float]:
        times: dict[str, float] = {}
        for stretch in [*STORED, LATEST]:
            start = max(since, self.now + stretch.start)
            end = min(until, self.now + stretch.start + stretch.length)
            for issue in stretch.issues or ():
                if end > start:
                    times[issue.value] = times.get(issue.value, 0.0) + end - start
        return times


@pytest.fixture
def health(make_api: ApiFactory) -> Health:
    api = make_api(web_dir=WEB_DIR)
    add_user(api.auth, VIEWER, Role.VIEWER)
    now = float(int(time.time()))
    readings: list[StoredReading] = []
    for stretch in STORED:
        quality = None if stretch.issues is None else verdict(*stretch.issues)
        for k in range(int(stretch.length / STEP_S)):
            at = now + stretch.start + k * STEP_S
            readings.append(stored_reading(POOR, len(readings), at, 0.5, quality=quality))
    api.store.add_readings(readings)
    for at, status, reason, sites in STATUS:
        api.store.record_status(list(sites), now + at, status, reason)
    assert LATEST.issues
    api.monitor.observe(
        POOR, len(readings), now + LATEST.start, 0.5, quality=verdict(*LATEST.issues)
    )
    return Health(api, now)


def open_health(page: Any, health: Health, query: str = "", state: str = "ready") -> Any:
    """Opens the page signed in as the viewer; returns its table once it is in `state`."""
    page.goto(health.api.server.url(f"/health.html{query}"))
    sign_in(page, VIEWER)
    expect(by_test_id(page, "user-name")).to_have_text(VIEWER)
    expect(by_test_id(page, "user-role")).to_have_text("viewer")
    table = by_test_id(page, "health-table")
    expect(table).to_have_attribute("data-state", state, timeout=WAIT_MS)
    return table


def span_of(table: Any) -> tuple[float, float]:
    """The span the page asked the report for."""
    return float(table.get_attribute("data-since")), float(table.get_attribute("data-until"))


def expect_share(page: Any, test_id: str, seconds: float, span: float) -> None:
    """The percentage shown is `seconds` of `span`, to the one decimal it is shown with."""
    shown = by_test_id(page, test_id)
    expect(shown).to_have_text(re.compile(r"^\d+\.\d%$"))
    assert float((shown.text_content() or "").rstrip("%")) == pytest.approx(
        100 * seconds / span, abs=0.051
    ), test_id


def issue_words(codes: dict[str, str]) -> list[str]:
    """The issue lines of the poor cell, in the page's order (blank, noise, detail, blocking)."""
    return [f"{LABELS[code]} {codes[code]}" for code in LABELS if code in codes]


@pytest.mark.parametrize(
    ("hours", "dark_time"),
    [pytest.param(6, "2 h 25 min", id="6h"), pytest.param(24, "20 h 25 min", id="24h")],
)
def test_sites_are_ranked_worst_first_with_their_shares(
    page: Any, health: Health, hours: int, dark_time: str
) -> None:
    table = open_health(page, health, f"?hours={hours}")

    expect(table).to_have_attribute("data-hours", str(hours))
    expect(by_test_id(page, f"health-span-{hours}")).to_have_attribute("aria-pressed", "true")
    since, until = span_of(table)
    span = until - since
    assert span == pytest.approx(hours * HOUR, abs=0.01)
    assert until == pytest.approx(time.time(), abs=60)
    # gate-b had no picture at all, so it comes first, though the API lists it second.
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    assert [row.get_attribute("data-site-id") for row in rows.all()] == [DARK, POOR]

    times = health.times(since, until)
    assert times["poor"] == 3600 + 1200 + 5  # the span holds every recent stretch
    expect_share(page, f"health-poor-share-{POOR}", times["poor"], span)
    expect_share(page, f"health-dark-share-{POOR}", times["dark"], span)
    expect(by_test_id(page, f"health-poor-time-{POOR}")).to_have_text("1 h 20 min")
    expect(by_test_id(page, f"health-dark-time-{POOR}")).to_have_text(dark_time)
    assert float(by_test_id(page, f"health-dark-{POOR}").get_attribute("data-seconds")) == (
        pytest.approx(times["dark"], abs=0.01)
    )
    expect(by_test_id(page, f"health-poor-{POOR}").locator("li")).to_have_text(
        issue_words({"blank": "5 s", "noise": "1 h", "blocking": "20 min"})
    )
    expect(by_test_id(page, f"health-stretches-{POOR}")).to_have_text("3")

    # Never analysed: dark but for the 15 min the monitor was stopped.
    expect_share(page, f"health-dark-share-{DARK}", span - 900, span)
    expect(by_test_id(page, f"health-poor-share-{DARK}")).to_have_text("0.0%")
    expect(by_test_id(page, f"health-poor-{DARK}").locator("li")).to_have_count(0)
    expect(by_test_id(page, f"health-stretches-{DARK}")).to_have_text("0")

    # Each site's name leads to its setup page.
    site = by_test_id(page, f"health-site-{POOR}")
    expect(site).to_have_text("Gate A")
    expect(site).to_have_attribute("href", f"/setup.html?site={POOR}")


def test_outages_and_the_monitors_downtime_are_told_apart(page: Any, health: Health) -> None:
    table = open_health(page, health, "?hours=6")

    since, until = span_of(table)
    span = until - since
    times = health.times(since, until)
    assert (times["offline"], times["stopped"]) == (1200, 900)
    expect_share(page, f"health-offline-share-{POOR}", times["offline"], span)
    expect(by_test_id(page, f"health-offline-time-{POOR}")).to_have_text("20 min")
    outages = by_test_id(page, f"health-outages-{POOR}")
    # One outage, though its reason changed; the latest reason is the one shown.
    expect(outages).to_have_text(
        "1 outage, longest 20 min; latest: cannot open rtsp://gate-a Replay"
    )
    # Its replay starts on the last 10 s before it.
    expect(by_test_id(page, f"health-outage-replay-{POOR}")).to_have_attribute(
        "href", f"/replay.html?site={POOR}&at={int(health.now + OFFLINE_SINCE - 10)}"
    )
    started = page.evaluate(
        "async (t) => (await import('/js/util.js')).fmtTime(t)", health.now + OFFLINE_SINCE
    )
    expect(outages).to_have_attribute(
        "title",
        f"Latest outages:\n{started} for 20 min (still offline): "
        "no frames for 10 s; cannot open rtsp://gate-a",
    )
    # The monitor's downtime is shown beside the unexplained dark time, for both sites.
    expect_share(page, f"health-dark-share-{POOR}", times["dark"], span)
    for site in (POOR, DARK):
        stopped = by_test_id(page, f"health-stopped-{site}")
        expect(stopped).to_have_text("+ monitor stopped 15 min")
        expect(stopped).to_have_attribute("data-seconds", "900")
    # The span's outages download as CSV: the one above.
    csv_link = by_test_id(page, "health-outages-csv")
    expect(csv_link).to_be_visible()
    with page.expect_download() as download:
        csv_link.click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert [(r["site_id"], r["duration_s"], r["reasons"]) for r in rows] == [
        (POOR, "1200.0", "no frames for 10 s; cannot open rtsp://gate-a")
    ]
    assert float(rows[0]["start"]) == health.now + OFFLINE_SINCE
    # gate-b never reported an outage.
    expect(by_test_id(page, f"health-offline-share-{DARK}")).to_have_text("0.0%")
    expect(by_test_id(page, f"health-outages-{DARK}")).to_have_count(0)


def test_the_longest_poor_stretch_links_to_its_replay(page: Any, health: Health) -> None:
    open_health(page, health)

    start = health.now - 4 * HOUR  # the grainy hour
    link = by_test_id(page, f"health-replay-{POOR}")
    expect(link).to_have_text("Replay")
    expect(link).to_have_attribute("href", f"/replay.html?site={POOR}&at={int(start)}")
    longest = by_test_id(page, f"health-longest-{POOR}")
    local = page.evaluate("async (t) => (await import('/js/util.js')).fmtTime(t)", start)
    expect(longest.locator("time")).to_have_text(local)
    expect(longest.locator(".duration")).to_have_text("1 h")
    expect(longest.locator(".issue-words")).to_have_text(LABELS["noise"])
    expect(longest).to_contain_text(f"1 h {LABELS['noise']} Replay")
    # A site without a poor stretch has nothing to replay.
    expect(by_test_id(page, f"health-longest-{DARK}")).to_have_text("none")
    expect(by_test_id(page, f"health-replay-{DARK}")).to_have_count(0)


def test_the_strip_has_a_column_per_bin_and_sums_up_the_span(page: Any, health: Health) -> None:
    table = open_health(page, health, "?hours=6")

    since, until = span_of(table)
    span = until - since
    times = health.times(since, until)
    strip = by_test_id(page, f"health-strip-{POOR}")
    expect(strip).to_have_attribute("role", "img")
    label = strip.get_attribute("aria-label") or ""
    found = re.fullmatch(
        r"Last 6 h: good ([\d.]+)%, poor ([\d.]+)%, picture check off ([\d.]+)%, "
        r"camera offline ([\d.]+)%, monitor stopped ([\d.]+)%, no picture ([\d.]+)%",
        label,
    )
    assert found, label
    states = ("good", "poor", "unassessed", "offline", "stopped", "dark")
    for shown, state in zip(found.groups(), states, strict=True):
        assert float(shown) == pytest.approx(100 * times[state] / span, abs=0.051), state
    expect(by_test_id(page, f"health-strip-{DARK}")).to_have_attribute(
        "aria-label",
        "Last 6 h: good 0.0%, poor 0.0%, picture check off 0.0%, camera offline 0.0%, "
        "monitor stopped 4.2%, no picture 95.8%",
    )

    columns = strip.locator('[data-testid="health-bin"]')
    expect(columns).to_have_count(BINS)
    shown_bins = columns.evaluate_all(
        """columns => columns.map((c) => ({
            times: {good: +c.dataset.good, poor: +c.dataset.poor,
                    unassessed: +c.dataset.unassessed, offline: +c.dataset.offline,
                    stopped: +c.dataset.stopped, dark: +c.dataset.dark},
            heights: Object.fromEntries([...c.children].map(
                (s) => [s.dataset.state, parseFloat(s.style.height)])),
            title: c.title,
        }))"""
    )
    width = span / BINS
    for index, shown_bin in enumerate(shown_bins):
        wanted = health.times(since + index * width, since + (index + 1) * width)
        for state, seconds in wanted.items():
            assert shown_bin["times"][state] == pytest.approx(seconds, abs=0.01), (index, state)
            height = shown_bin["heights"].get(state, 0.0)
            assert height == pytest.approx(100 * seconds / width, abs=0.01), (index, state)
    # A bin inside the grainy hour is all poor, and its tooltip says so.
    grainy = shown_bins[int((health.now - 3.5 * HOUR - since) // width)]
    assert grainy["heights"] == {"poor": 100}
    assert grainy["title"].endswith("\npoor 7 min 30 s")


@pytest.mark.parametrize(
    ("issues", "state", "severity", "text"),
    [
        pytest.param(
            (BLANK,), "poor", "bad", "Picture blank (lens covered?): count meaningless", id="blank"
        ),
        pytest.param(
            (NOISE, BLOCKING),
            "poor",
            "warn",
            "Picture: grainy (night or high gain), heavy compression: counts may be off",
            id="noise-and-blocking",
        ),
        pytest.param((), "good", "", "picture good", id="good"),
        pytest.param(None, "unassessed", "", "picture check off", id="check-off"),
    ],
)
def test_the_picture_now_is_worded_as_on_the_live_page(
    page: Any,
    health: Health,
    issues: tuple[QualityIssue, ...] | None,
    state: str,
    severity: str,
    text: str,
) -> None:
    quality = None if issues is None else verdict(*issues)
    health.api.monitor.observe(POOR, 10**6, health.now - 30 * 60, 0.5, quality=quality)
    open_health(page, health)

    now = by_test_id(page, f"health-picture-now-{POOR}")
    expect(now).to_have_text(text)
    expect(now).to_have_attribute("data-state", state)
    expect(now).to_have_attribute("data-severity", severity)
    expect(now).to_have_attribute("data-issues", " ".join(i.value for i in issues or ()))
    if issues:
        # The very words of the shared warning, not a copy of them.
        shared = page.evaluate(
            "async (issues) => (await import('/js/util.js')).pictureWarning({issues}).text",
            [i.value for i in issues],
        )
        assert shared == text
    expect(by_test_id(page, f"health-status-{POOR}")).to_have_text("Online")
    # Half an hour old, past the 5 s a reading vouches for: the page says when it was seen.
    seen = page.evaluate(
        "async (at) => (await import('/js/util.js')).fmtTime(at)", health.now - 30 * 60
    )
    expect(by_test_id(page, f"health-picture-at-{POOR}")).to_have_text(f"as of {seen}")
    # Never analysed: starting, with nothing to say about a picture.
    expect(by_test_id(page, f"health-status-{DARK}")).to_have_text("Starting")
    expect(by_test_id(page, f"health-picture-now-{DARK}")).to_have_text("")


def test_a_fresh_picture_needs_no_time(page: Any, health: Health) -> None:
    # Far enough ahead that the page cannot load after this reading stops vouching.
    health.api.monitor.observe(POOR, 10**6, time.time() + 3600, 0.5, quality=verdict(NOISE))
    open_health(page, health)

    expect(by_test_id(page, f"health-picture-now-{POOR}")).to_have_attribute("data-state", "poor")
    expect(by_test_id(page, f"health-picture-at-{POOR}")).to_have_text("")


def test_switching_the_span_reports_the_new_span(page: Any, health: Health) -> None:
    table = open_health(page, health)
    expect(table).to_have_attribute("data-hours", "24")
    expect(by_test_id(page, "health-span-24")).to_have_attribute("aria-pressed", "true")
    # The starved stream three days ago is outside the last day.
    expect(by_test_id(page, f"health-stretches-{POOR}")).to_have_text("3")
    expect(by_test_id(page, f"health-issue-{POOR}-detail_loss")).to_have_count(0)
    day_since, day_until = span_of(table)
    expect_share(page, f"health-poor-share-{POOR}", health.times(day_since, day_until)["poor"], DAY)

    with page.expect_request(lambda request: "/api/camera-health" in request.url) as asked:
        by_test_id(page, "health-span-168").click()
    query = parse_qs(urlsplit(asked.value.url).query)
    assert float(query["until"][0]) - float(query["since"][0]) == pytest.approx(7 * DAY, abs=0.01)

    expect(table).to_have_attribute("data-hours", "168", timeout=WAIT_MS)
    expect(table).to_have_attribute("data-state", "ready")
    expect(page).to_have_url(re.compile(r"\?hours=168$"))
    expect(by_test_id(page, "health-span-168")).to_have_attribute("aria-pressed", "true")
    expect(by_test_id(page, "health-span-24")).to_have_attribute("aria-pressed", "false")
    expect(by_test_id(page, "health-strip-head")).to_have_text("Last 7 days")
    since, until = span_of(table)
    times = health.times(since, until)
    assert times["poor"] == 3600 + 1200 + 5 + 1800
    expect(by_test_id(page, f"health-stretches-{POOR}")).to_have_text("4")
    expect_share(page, f"health-poor-share-{POOR}", times["poor"], 7 * DAY)
    issues = health.issue_times(since, until)
    assert issues == {"detail_loss": 1800, "noise": 3600, "blocking": 1200, "blank": 5}
    expect(by_test_id(page, f"health-issue-{POOR}-detail_loss")).to_have_text(
        f"{LABELS['detail_loss']} 30 min"
    )
    # Still the grainy hour: the longest.
    expect(by_test_id(page, f"health-longest-{POOR}")).to_have_attribute(
        "data-start", str(int(health.now - 4 * HOUR))
    )

    # Refresh asks again for the span picked, up to now.
    with page.expect_request(lambda request: "/api/camera-health" in request.url) as again:
        by_test_id(page, "health-refresh").click()
    query = parse_qs(urlsplit(again.value.url).query)
    assert float(query["until"][0]) - float(query["since"][0]) == pytest.approx(7 * DAY, abs=0.01)
    assert float(query["until"][0]) >= until


def test_a_span_the_server_refuses_is_shown(page: Any, health: Health) -> None:
    # Past the API's 31 days.
    table = open_health(page, health, "?hours=1000", state="error")

    error = by_test_id(page, "health-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_have_text("the span is at most 31 days; ask for less")
    expect(by_test_id(page, "health-span-1000")).to_have_text("Last 1000 h")
    expect(by_test_id(page, "health-span-1000")).to_have_attribute("aria-pressed", "true")
    expect(table.locator("tbody tr")).to_have_count(0)

    # A span the server takes clears it.
    by_test_id(page, "health-span-6").click()
    expect(table).to_have_attribute("data-hours", "6", timeout=WAIT_MS)
    expect(error).to_be_hidden()
    expect(table.locator("tbody tr")).to_have_count(2)


def test_an_ended_session_asks_for_a_sign_in_then_reloads(page: Any, health: Health) -> None:
    table = open_health(page, health)
    page.context.clear_cookies()

    with page.expect_response(lambda response: "/api/camera-health" in response.url) as answer:
        by_test_id(page, "health-refresh").click()
    assert answer.value.status == 401
    expect(table).to_have_attribute("data-state", "error")
    expect(by_test_id(page, "login")).to_be_visible()

    sign_in(page, VIEWER)
    expect(table).to_have_attribute("data-state", "ready", timeout=WAIT_MS)
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(by_test_id(page, "health-error")).to_be_hidden()


def test_log_out_signs_the_user_out(page: Any, health: Health) -> None:
    open_health(page, health)

    by_test_id(page, "logout-button").click()

    expect(by_test_id(page, "login")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#login-hint")).to_have_text("Sign in to see camera health.")
    assert page.request.get(health.api.server.url("/api/auth/me")).status == 401


def test_the_live_page_links_to_camera_health(page: Any, health: Health) -> None:
    require_web_assets()
    page.goto(health.api.server.url("/"))
    sign_in(page, VIEWER)

    link = by_test_id(page, "health-link")
    expect(link).to_be_visible(timeout=WAIT_MS)
    expect(link).to_have_attribute("href", "/health.html")
    # Not an admin's link: a viewer has it, without the admin links.
    expect(by_test_id(page, "admin-links")).to_be_hidden()

    link.click()
    expect(by_test_id(page, "health-table")).to_have_attribute(
        "data-state", "ready", timeout=WAIT_MS
    )
    expect(by_test_id(page, "user-name")).to_have_text(VIEWER)
