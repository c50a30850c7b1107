"""The page measures ages against the server's clock, not the workstation's.

Readings, faults and alerts are stamped by the server. A control-room PC whose clock runs
fast would otherwise call every fresh reading stale and every camera stalled; one running
slow would hide a stream that really stalled. The cases of `ServerClock` run in a real
Chromium on fake clocks; the live page then runs on a browser whose clock is set wrong.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest

from monitor.auth.roles import Role
from tests.support.api_harness import Api, ApiFactory
from tests.support.browser import (
    WAIT_MS,
    by_test_id,
    open_signed_in,
    pages_api,
    sign_in,
    skew_wall_clock,
    sync_api,
)

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SITE = "gate-a"
VIEWER = "zhao.min"
# Further off than any age the page judges (a reading is stale after 15 s).
SKEW_S = 300.0
# The page's own rule (STALE_READING_S in web/js/util.js) and the time it may take to see it.
STALE_AFTER_S = 15.0


@dataclass(frozen=True)
class Step:
    """At monotonic second `at`, with the wall clock reading `wall`, the server's clock read
    `observe` (None: a message without a time)."""

    at: float
    wall: float = 1_000.0
    observe: float | None = None
    heard: bool = True  # False: only move the clocks on


@dataclass(frozen=True)
class ClockCase:
    name: str
    steps: list[Step]
    now: float  # what the page takes for the server's time after the steps
    synced: bool = True


CLOCK_CASES = [
    ClockCase(
        "before the server is heard from, the local clock",
        [Step(5.0, wall=1_234.0, heard=False)],
        1_234.0,
        synced=False,
    ),
    ClockCase(
        "a message without a time is no sample",
        [Step(5.0, wall=1_234.0, observe=None)],
        1_234.0,
        synced=False,
    ),
    ClockCase(
        "the server's time moves on with the monotonic clock",
        [Step(10.0, observe=5_000.0), Step(12.5, heard=False)],
        5_002.5,
    ),
    ClockCase(
        "a late message (a queue, the backlog) does not pull it back",
        [Step(10.0, observe=5_000.0), Step(11.0, observe=4_990.0), Step(12.0, heard=False)],
        5_002.0,
    ),
    ClockCase(
        "a message that came quicker moves it on",
        [Step(10.0, observe=5_000.0), Step(11.0, observe=5_003.0), Step(12.0, heard=False)],
        5_004.0,
    ),
    ClockCase(
        "the workstation's wall clock being stepped changes nothing",
        [Step(10.0, observe=5_000.0), Step(11.0, wall=9_999.0, heard=False)],
        5_001.0,
    ),
    ClockCase(
        "a sample older than its life is forgotten: a server stepped back is followed",
        [Step(0.0, observe=5_000.0), Step(121.0, observe=4_000.0)],
        4_000.0,
    ),
    ClockCase(
        "the newest sample is kept however old: it still knows better than the local clock",
        [Step(0.0, observe=5_000.0), Step(500.0, wall=7.0, heard=False)],
        5_500.0,
    ),
]


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    return pages_api(make_api, {VIEWER: Role.VIEWER})


@pytest.mark.parametrize("case", CLOCK_CASES, ids=[c.name for c in CLOCK_CASES])
def test_server_clock(page: Any, api: Api, case: ClockCase) -> None:
    page.goto(api.server.url("/"))
    steps = [
        {"at": s.at, "wall": s.wall, "observe": s.observe, "heard": s.heard} for s in case.steps
    ]
    found = page.evaluate(
        """async (steps) => {
            const { ServerClock } = await import('/js/server_clock.js');
            let mono = 0;
            let wall = 0;
            const clock = new ServerClock({
                wallMs: () => wall * 1000,
                monotonicMs: () => mono * 1000,
            });
            for (const step of steps) {
                mono = step.at;
                wall = step.wall;
                if (step.heard) clock.observe(step.observe);
            }
            return { now: clock.now(), synced: clock.synced(), offset: clock.offset() };
        }""",
        steps,
    )
    assert found["now"] == pytest.approx(case.now)
    assert found["synced"] is case.synced
    assert found["offset"] == pytest.approx(case.now - case.steps[-1].wall)


def test_a_steady_feed_keeps_the_clock_small(page: Any, api: Api) -> None:
    """Twenty sites' readings a second for two minutes: the page asks the clock for every
    site each tick, so it must not grow with the messages."""
    page.goto(api.server.url("/"))
    found = page.evaluate(
        """async () => {
            const { ServerClock } = await import('/js/server_clock.js');
            let mono = 0;
            const clock = new ServerClock({ wallMs: () => 0, monotonicMs: () => mono * 1000 });
            for (let i = 0; i < 2400; i += 1) {
                mono = i / 20;
                // Sent 50-250 ms before it arrives, by a server 90 s ahead.
                clock.observe(mono + 90 - 0.05 - 0.2 * ((i * 7919) % 11) / 10);
            }
            return { kept: clock.samples.length, now: clock.now(), at: mono };
        }"""
    )
    assert found["kept"] <= 11
    assert found["now"] == pytest.approx(found["at"] + 90 - 0.05, abs=1e-6)


@pytest.mark.parametrize(
    ("header", "now"),
    [
        pytest.param("Mon, 07 Dec 2026 06:00:00 GMT", 1_796_623_200.0, id="an HTTP date"),
        pytest.param("not a date", 1_234.0, id="garbage is no sample"),
        pytest.param(None, 1_234.0, id="no header is no sample"),
    ],
)
def test_a_date_header(page: Any, api: Api, header: str | None, now: float) -> None:
    page.goto(api.server.url("/"))
    found = page.evaluate(
        """async (header) => {
            const { ServerClock, observeDateHeader } = await import('/js/server_clock.js');
            const clock = new ServerClock({ wallMs: () => 1234000, monotonicMs: () => 0 });
            observeDateHeader(header, clock);
            return clock.now();
        }""",
        header,
    )
    assert found == pytest.approx(now)


@pytest.mark.parametrize(
    ("headers", "now"),
    [
        pytest.param(
            {"X-Server-Time": "1796623200.457", "Date": "Mon, 07 Dec 2026 06:00:00 GMT"},
            1_796_623_200.457,
            id="the-stamp-to-the-millisecond-wins",
        ),
        pytest.param(
            {"Date": "Mon, 07 Dec 2026 06:00:00 GMT"}, 1_796_623_200.0, id="else-the-date"
        ),
        pytest.param(
            {"X-Server-Time": "soon", "Date": "Mon, 07 Dec 2026 06:00:00 GMT"},
            1_796_623_200.0,
            id="a-garbled-stamp-falls-back-to-the-date",
        ),
    ],
)
def test_an_answers_time(page: Any, api: Api, headers: dict[str, str], now: float) -> None:
    page.goto(api.server.url("/"))
    found = page.evaluate(
        """async (headers) => {
            const { ServerClock, observeAnswer } = await import('/js/server_clock.js');
            const clock = new ServerClock({ wallMs: () => 1234000, monotonicMs: () => 0 });
            observeAnswer(new Headers(headers), clock);
            return clock.now();
        }""",
        headers,
    )
    assert found == pytest.approx(now, abs=1e-6)


def test_the_page_reads_the_servers_stamp_on_its_answers(page: Any, api: Api) -> None:
    page.goto(api.server.url("/"))
    found = page.evaluate(
        """async () => {
            const { serverClock } = await import('/js/server_clock.js');
            const { request } = await import('/js/api.js');
            await request('GET', '/healthz');
            return serverClock.now() - Date.now() / 1000;
        }"""
    )
    # One clock on one machine: the page's estimate is the server's to well under the Date
    # header's whole second.
    assert abs(found) < 0.25


def open_live(page: Any, api: Api, skew_s: float) -> None:
    """The live page on a browser whose clock is `skew_s` off, with SITE selected."""
    skew_wall_clock(page, skew_s)
    open_signed_in(page, api, VIEWER, SITE)
    assert abs(page.evaluate("Date.now() / 1000") - time.time() - skew_s) < 5.0


def test_a_clock_running_fast_does_not_age_fresh_readings(page: Any, api: Api) -> None:
    api.monitor.report_status(SITE, "online", time.time(), "test camera")
    open_live(page, api, +SKEW_S)
    seqs = itertools.count(1)

    api.monitor.observe(SITE, next(seqs), time.time(), 1.0)

    expect(by_test_id(page, "stat-age")).to_have_text(
        re.compile(r"^(just now|\d+ s ago)$"), timeout=WAIT_MS
    )
    expect(by_test_id(page, f"site-count-{SITE}")).to_have_attribute("data-stale", "false")
    expect(by_test_id(page, "faults-empty")).to_be_visible()
    expect(by_test_id(page, "fault-list").locator("li")).to_have_count(0)


@pytest.mark.parametrize(
    ("skew_s", "note"),
    [
        pytest.param(+SKEW_S, "This computer's clock is 5 min fast", id="fast"),
        pytest.param(-SKEW_S, "This computer's clock is 5 min slow", id="slow"),
        pytest.param(0.0, "Server time", id="right"),
    ],
)
def test_the_header_clock_shows_the_servers_time(
    page: Any, api: Api, skew_s: float, note: str
) -> None:
    open_live(page, api, skew_s)

    clock = by_test_id(page, "clock")
    expect(clock).to_have_attribute("title", re.compile(f"^{note}"), timeout=WAIT_MS)
    expect(clock).to_have_attribute("data-skewed", "false" if skew_s == 0 else "true")
    expect_server_time(clock)


def expect_server_time(clock: Any) -> None:
    shown = clock.text_content()
    # The page formats in the browser's time zone, which is this process's.
    around = {time.strftime("%H:%M:%S", time.localtime(time.time() + d)) for d in range(-3, 2)}
    assert shown in around


def test_the_camera_walls_clock_shows_the_servers_time(page: Any, api: Api) -> None:
    """A wall's big-screen PC is the one most likely to run on a clock nobody set."""
    skew_wall_clock(page, +SKEW_S)
    page.goto(api.server.url("/wall.html"))
    sign_in(page, VIEWER)
    expect(by_test_id(page, "connection-status")).to_have_attribute(
        "data-state", "live", timeout=WAIT_MS
    )
    clock = by_test_id(page, "clock")
    expect(clock).to_have_attribute(
        "title", re.compile("^This computer's clock is 5 min fast"), timeout=WAIT_MS
    )
    expect_server_time(clock)


def test_a_clock_running_slow_still_notices_a_stream_that_stalled(page: Any, api: Api) -> None:
    api.monitor.report_status(SITE, "online", time.time(), "test camera")
    open_live(page, api, -SKEW_S)
    last = api.monitor.observe(SITE, 1, time.time(), 1.0)

    stalled = by_test_id(page, f"fault-{SITE}")
    expect(stalled).to_have_attribute(
        "data-kind", "stalled", timeout=WAIT_MS + int(STALE_AFTER_S * 1000)
    )
    assert time.time() - last.analysed_at > STALE_AFTER_S
    expect(by_test_id(page, f"fault-since-{SITE}")).to_have_text(re.compile(r"^ · \d+ s$"))
    expect(by_test_id(page, f"site-count-{SITE}")).to_have_attribute("data-stale", "true")


def test_a_faults_age_is_counted_on_the_servers_clock(page: Any, api: Api) -> None:
    api.monitor.report_status(SITE, "offline", time.time(), "connection refused")
    open_live(page, api, +SKEW_S)

    down = by_test_id(page, f"fault-{SITE}")
    expect(down).to_have_attribute("data-kind", "offline", timeout=WAIT_MS)
    expect(by_test_id(page, f"fault-since-{SITE}")).to_have_text(re.compile(r"^ · \d+ s$"))
