"""The live page's camera faults, in a real Chromium against the real server.

The picture-quality demo (tests/web/test_picture_quality.py) feeds two cameras a textured
frame whose limits flag exactly the issues a case asks for; the third site is fed by the
crowd and is fine. Here the question is what the faults card says, and for how long.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from monitor.auth.roles import Role
from monitor.quality.verdict import ISSUE_WORDS, QualityIssue
from tests.support.browser import WAIT_MS, by_test_id, sync_api
from tests.support.fault_cases import ACK_CASES, CASES, NOW, SITE
from tests.web.test_picture_quality import (
    FRAME,
    GOOD,
    OPERATOR,
    POOR,
    UNASSESSED,
    Demo,
    demos,
    flagging,
    open_live_page,
)

expect = sync_api().expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def make_demo(tmp_path: Path) -> Iterator[Any]:
    with demos(tmp_path, OPERATOR, Role.OPERATOR) as make:
        yield make


def fault(page: Any, site_id: str) -> Any:
    return by_test_id(page, f"fault-{site_id}")


def test_all_cameras_ok(page: Any, make_demo: Any) -> None:
    demo: Demo = make_demo(flagging(()))
    open_live_page(page, demo)

    expect(by_test_id(page, "faults-empty")).to_be_visible(timeout=WAIT_MS)
    expect(by_test_id(page, "faults-empty")).to_have_text("All cameras OK.")
    expect(by_test_id(page, "fault-count")).to_have_text("0")
    expect(by_test_id(page, "fault-list").locator("li")).to_have_count(0)


def test_a_poor_picture_and_an_outage_are_listed_with_their_age(page: Any, make_demo: Any) -> None:
    started = time.time()
    demo: Demo = make_demo(flagging(("noise",)))
    open_live_page(page, demo)

    poor = fault(page, POOR)
    expect(poor).to_be_visible(timeout=WAIT_MS)
    expect(poor).to_have_attribute("data-kind", "picture")
    expect(poor).to_have_attribute("data-severity", "warn")
    expect(poor).to_contain_text("Pozi Street")
    expect(poor).to_contain_text("Picture: grainy (night or high gain): counts may be off")
    since = float(poor.get_attribute("data-since") or "nan")
    assert started <= since <= time.time()
    expect(by_test_id(page, f"fault-since-{POOR}")).to_have_text(re_age())
    for fine in (GOOD, UNASSESSED):
        expect(fault(page, fine)).to_have_count(0)
    expect(by_test_id(page, "fault-count")).to_have_text("1")
    expect(by_test_id(page, "faults-empty")).to_be_hidden()

    # The other camera fails: an outage outranks a grainy picture, so it comes first.
    before = time.time()
    demo.live.sources.by_site[GOOD].report("offline", "cannot open rtsp://cam-9/stream")
    down = fault(page, GOOD)
    expect(down).to_have_attribute("data-kind", "offline", timeout=WAIT_MS)
    expect(down).to_have_attribute("data-severity", "bad")
    expect(down).to_contain_text("Huangxing Road")
    expect(down).to_contain_text("camera offline")
    expect(down).to_have_attribute("title", re_title("cannot open rtsp://cam-9/stream"))
    down_since = float(down.get_attribute("data-since") or "nan")
    assert before <= down_since <= time.time()
    # The site list's count is its last one: dimmed, saying when it was read.
    count = by_test_id(page, f"site-count-{GOOD}")
    expect(count).to_have_attribute("data-stale", "true")
    expect(count).to_have_attribute("title", re.compile(r"^Last reading at \d\d:\d\d:\d\d$"))
    expect(by_test_id(page, f"site-count-{POOR}")).to_have_attribute("data-stale", "false")
    items = by_test_id(page, "fault-list").locator("li")
    expect(items).to_have_count(2)
    assert [i.get_attribute("data-site-id") for i in items.all()] == [GOOD, POOR]
    expect(by_test_id(page, "fault-count")).to_have_text("2")

    # Its age counts on; the name selects the site.
    expect(by_test_id(page, f"fault-since-{GOOD}")).to_have_text(" · 2 s", timeout=WAIT_MS)
    down.locator(".fault-site").click()
    expect(by_test_id(page, "site-panel")).to_have_attribute("data-site-id", GOOD)

    # Back online, its picture is fine: it leaves the list.
    demo.live.sources.by_site[GOOD].report("online", "test camera")
    expect(fault(page, GOOD)).to_have_count(0, timeout=WAIT_MS)
    expect(by_test_id(page, f"site-count-{GOOD}")).to_have_attribute("data-stale", "false")
    expect(by_test_id(page, "fault-count")).to_have_text("1")


def test_a_lasting_fault_is_not_rebuilt_while_its_measures_move(page: Any, make_demo: Any) -> None:
    """A grainy camera's readings change its tooltip's measures every frame; the item must
    stay the same element (one rebuilt under the pointer swallows the click on its name)."""
    demo: Demo = make_demo(flagging(("noise",)))
    open_live_page(page, demo)
    poor = fault(page, POOR)
    expect(poor).to_have_attribute("data-kind", "picture", timeout=WAIT_MS)
    poor.evaluate("(item) => { item.probe = 'the first one'; }")
    grainier = np.clip(FRAME + np.random.default_rng(3).normal(0, 4, FRAME.shape), 0, 255)
    titles = set()
    for step in range(8):
        demo.cameras.frame = grainier.astype(np.uint8) if step % 2 else FRAME
        time.sleep(0.4)
        titles.add(poor.get_attribute("title"))

    assert len(titles) > 1, "the tooltip follows the latest measures"
    assert poor.evaluate("(item) => item.probe") == "the first one"
    expect(poor).to_have_attribute("data-kind", "picture")
    poor.locator(".fault-site").click()
    expect(by_test_id(page, "site-panel")).to_have_attribute("data-site-id", POOR)


def test_a_fresh_page_knows_since_when(page: Any, make_demo: Any) -> None:
    """The snapshot carries each site's status_since and picture_since."""
    demo: Demo = make_demo(flagging(("noise",)))
    demo.live.sources.by_site[GOOD].report("offline", "no frames for 10 s")
    time.sleep(2.5)
    open_live_page(page, demo)

    down = fault(page, GOOD)
    expect(down).to_have_attribute("data-kind", "offline", timeout=WAIT_MS)
    assert time.time() - float(down.get_attribute("data-since") or "nan") >= 2.5
    poor = fault(page, POOR)
    expect(poor).to_have_attribute("data-kind", "picture")
    assert time.time() - float(poor.get_attribute("data-since") or "nan") >= 2.5


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One running product for the cases that only need the page's modules served."""
    with demos(tmp_path_factory.mktemp("faults"), OPERATOR, Role.OPERATOR) as make:
        yield make(flagging(()))


# The server judges faults by the same cases (tests/faults/test_camera.py).
@pytest.mark.parametrize(("site", "expected"), CASES)
def test_each_kind_of_fault(
    page: Any, served: Demo, site: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    open_live_page(page, served)
    found = page.evaluate(
        """async ([site, now]) => {
            const fault = (await import('/js/faults.js')).cameraFault(site, now);
            return fault && {kind: fault.kind, severity: fault.severity, since: fault.since,
                             text: fault.text};
        }""",
        [SITE | site, NOW],
    )
    assert found == expected


@pytest.mark.parametrize("issue", list(QualityIssue), ids=str)
def test_a_webhook_names_a_poor_picture_as_the_page_does(
    page: Any, served: Demo, issue: QualityIssue
) -> None:
    open_live_page(page, served)
    label = page.evaluate(
        "async (code) => (await import('/js/util.js')).pictureIssueLabel(code)", issue.value
    )
    assert label.startswith(ISSUE_WORDS[issue])


def re_age() -> re.Pattern[str]:
    return re.compile(r"^ · \d+ s$")


def re_title(reason: str) -> re.Pattern[str]:
    """A fault's tooltip: the reason, then since when."""
    return re.compile(rf"^{re.escape(reason)}\nSince ")


def test_an_operator_takes_a_dead_camera_in_hand_and_every_page_sees_it(
    new_page: Any, make_demo: Any
) -> None:
    demo: Demo = make_demo(flagging(()))
    first, second = new_page(), new_page()
    open_live_page(first, demo)
    open_live_page(second, demo)
    demo.live.sources.by_site[GOOD].report("offline", "cannot open rtsp://cam-9/stream")
    down = fault(first, GOOD)
    expect(down).to_have_attribute("data-acknowledged", "false", timeout=WAIT_MS)
    expect(by_test_id(first, "fault-count")).to_have_text("1")

    by_test_id(first, f"fault-ack-{GOOD}").click()
    by_test_id(first, f"fault-ack-note-{GOOD}").fill("ticket 4711, vendor on site 14:00")
    by_test_id(first, f"fault-ack-save-{GOOD}").click()
    for page in (first, second):
        item = fault(page, GOOD)
        expect(item).to_have_attribute("data-acknowledged", "true", timeout=WAIT_MS)
        expect(by_test_id(page, f"fault-acked-{GOOD}")).to_contain_text(
            f"{OPERATOR} "  # who, when, and the note
        )
        expect(by_test_id(page, f"fault-acked-{GOOD}")).to_contain_text(
            "ticket 4711, vendor on site 14:00"
        )
        # Still listed, but no longer counted as a fault nobody has.
        expect(by_test_id(page, "fault-count")).to_have_text("0")

    # A page opened now knows (the snapshot); the camera comes back, then fails again:
    # the new fault is nobody's yet.
    third = new_page()
    open_live_page(third, demo)
    expect(fault(third, GOOD)).to_have_attribute("data-acknowledged", "true", timeout=WAIT_MS)
    demo.live.sources.by_site[GOOD].report("online", "test camera")
    expect(fault(first, GOOD)).to_have_count(0, timeout=WAIT_MS)
    demo.live.sources.by_site[GOOD].report("offline", "stream ended")
    expect(fault(first, GOOD)).to_have_attribute("data-acknowledged", "false", timeout=WAIT_MS)
    expect(by_test_id(first, "fault-count")).to_have_text("1")


def test_acknowledged_faults_go_after_the_ones_nobody_has(page: Any, served: Demo) -> None:
    open_live_page(page, served)
    order = page.evaluate(
        """async () => {
            const { cameraFaults } = await import('/js/faults.js');
            const now = 1000000;
            const site = (id, since) => ({
                id, name_en: id, status: 'offline', status_since: since, status_reason: '',
                latest: null,
            });
            const acks = new Map([
                ['a', { site_id: 'a', kind: 'offline', since: 10, by: 'li', at: 20, note: '' }],
                ['b', { site_id: 'b', kind: 'offline', since: 5, by: 'li', at: 20, note: '' }],
            ]);
            return cameraFaults([site('a', 10), site('b', 30), site('c', 50)], now, acks)
                .map((e) => [e.site.id, Boolean(e.ack)]);
        }"""
    )
    # a's acknowledgement names its fault; b's names an earlier one, so b is nobody's.
    assert order == [["b", False], ["c", False], ["a", True]]


LOCAL_TIME_IN = """(seconds) => {
    // A datetime-local value, in the browser's own clock, `seconds` from now.
    const d = new Date(Date.now() + seconds * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
        `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}"""


def test_a_repair_that_slips_past_its_time_is_nobodys_again(new_page: Any, make_demo: Any) -> None:
    demo: Demo = make_demo(flagging(()))
    first, second = new_page(), new_page()
    open_live_page(first, demo)
    open_live_page(second, demo)
    demo.live.sources.by_site[GOOD].report("offline", "cannot open rtsp://cam-9/stream")
    expect(fault(first, GOOD)).to_have_attribute("data-acknowledged", "false", timeout=WAIT_MS)

    by_test_id(first, f"fault-ack-{GOOD}").click()
    by_test_id(first, f"fault-ack-note-{GOOD}").fill("vendor booked")
    by_test_id(first, f"fault-ack-back-{GOOD}").fill(first.evaluate(LOCAL_TIME_IN, 6))
    by_test_id(first, f"fault-ack-save-{GOOD}").click()
    for page in (first, second):
        expect(fault(page, GOOD)).to_have_attribute("data-acknowledged", "true", timeout=WAIT_MS)
        expect(by_test_id(page, f"fault-acked-{GOOD}")).to_contain_text("· back by ")
        expect(by_test_id(page, "fault-count")).to_have_text("0")
    # The camera is still down when it was due back: listed as nobody's, and why.
    for page in (first, second):
        expect(fault(page, GOOD)).to_have_attribute("data-acknowledged", "false", timeout=WAIT_MS)
        expect(fault(page, GOOD)).to_have_attribute("data-overdue", "true")
        expect(by_test_id(page, f"fault-overdue-{GOOD}")).to_contain_text(
            f"Overdue: {OPERATOR} expected it back by "
        )
        expect(by_test_id(page, f"fault-overdue-{GOOD}")).to_contain_text("(vendor booked)")
        expect(by_test_id(page, "fault-count")).to_have_text("1")
    # Taken in hand again, with a new date: no longer overdue.
    by_test_id(second, f"fault-ack-{GOOD}").click()
    by_test_id(second, f"fault-ack-note-{GOOD}").fill("vendor rebooked")
    by_test_id(second, f"fault-ack-save-{GOOD}").click()
    expect(fault(first, GOOD)).to_have_attribute("data-acknowledged", "true", timeout=WAIT_MS)
    expect(by_test_id(first, f"fault-acked-{GOOD}")).to_contain_text("vendor rebooked")
    expect(by_test_id(first, f"fault-overdue-{GOOD}")).to_have_count(0)


def test_an_expected_back_time_is_read_in_the_operators_own_clock(page: Any, served: Demo) -> None:
    open_live_page(page, served)
    found = page.evaluate(
        """async () => {
            const { expectedBackOf } = await import('/js/faults.js');
            return [
                expectedBackOf('2026-12-03T10:00'),
                new Date(2026, 11, 3, 10, 0).getTime() / 1000,
                expectedBackOf(''),
                expectedBackOf('not a time'),
            ];
        }"""
    )
    assert found[0] == found[1]
    assert found[2:] == [None, None]


@pytest.mark.parametrize(("expected_back", "now", "state"), ACK_CASES)
def test_an_acknowledgement_lapses_when_the_camera_was_due_back(
    page: Any, served: Demo, expected_back: float | None, now: float, state: str
) -> None:
    open_live_page(page, served)
    found = page.evaluate(
        """async ([expectedBack, now]) => {
            const { faultAck, overdueAck } = await import('/js/faults.js');
            const fault = { kind: 'offline', since: 10 };
            const ack = { kind: 'offline', since: 10, by: 'li', at: 20, note: '',
                          expected_back: expectedBack };
            const other = { ...ack, since: 5 };  // an earlier episode's: neither
            return [Boolean(faultAck(fault, ack, now)), Boolean(overdueAck(fault, ack, now)),
                    Boolean(faultAck(fault, other, now)), Boolean(overdueAck(fault, other, now))];
        }""",
        [expected_back, now],
    )
    assert found == [state == "in force", state == "overdue", False, False]
