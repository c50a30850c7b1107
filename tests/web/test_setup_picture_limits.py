"""The setup page's picture limits form, in a real Chromium against the real server: a
supervisor at the camera moves a limit past the picture's measure and watches the warning
clear, turns assessment off, and is told why a limit out of bounds is not saved.

The cameras, frames and limits are tests/web/test_picture_quality.py's, the page helpers
tests/web/test_setup_picture.py's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from monitor.auth.roles import Role
from tests.support.browser import WAIT_MS, by_test_id, sign_in, sync_api
from tests.web import test_setup_picture
from tests.web.test_picture_quality import (
    MEASURED,
    OPERATOR,
    POOR,
    Demo,
    demos,
    flagging,
)
from tests.web.test_setup_picture import (
    DIGITS,
    LIMIT_KEYS,
    LIMIT_WORDS,
    expect_line,
    open_setup,
)

expect = sync_api().expect

# A supervisor's demo; bound here, not imported, for pytest to find it as this module's fixture.
setup_demo = test_setup_picture.setup_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The poor line when one issue is flagged (the live page's wording, POOR_CASES).
ONE_ISSUE = {
    "noise": "Picture: grainy (night or high gain): counts may be off",
    "detail_loss": "Picture: starved stream or blur: counts read low",
    "blocking": "Picture: heavy compression: counts may be off",
    "blank": "Picture blank (lens covered?): count meaningless",
}
BLOCKY = "Blocky above: must be a number more than 1 and at most 10."
ISSUE_MEASURE = {
    "noise": "noise",
    "detail_loss": "detail",
    "blocking": "blocking",
    "blank": "spread",
}


def reload_setup(page: Any, site_id: str) -> None:
    """Opens the page afresh in the same session: what it shows now comes from the server."""
    page.reload()
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
    expect(by_test_id(page, "setup")).to_have_attribute("data-site-id", site_id)
    expect(by_test_id(page, "live-reading")).to_have_attribute(
        "data-analysed-at", re.compile(r"\d"), timeout=WAIT_MS
    )


def expect_limit_shown(page: Any, name: str, limit: float) -> None:
    """The form holds `limit` and the measure is shown beside it."""
    assert float(by_test_id(page, f"pl-{name}").input_value()) == pytest.approx(limit)
    expect_limit_in_force(page, name, limit)


def expect_limit_in_force(page: Any, name: str, limit: float) -> None:
    """The measure is shown beside `limit`."""
    expect(by_test_id(page, f"picture-{name}-range")).to_have_text(
        f"{LIMIT_WORDS[name]} {limit:.{DIGITS[name]}f}", timeout=WAIT_MS
    )
    measure = by_test_id(page, f"picture-{name}")
    assert float(measure.get_attribute("data-limit") or "nan") == pytest.approx(limit)


def count_saves(page: Any) -> list[str]:
    """The picture-limits PUTs the page sends from now on."""
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.method == "PUT" and "picture-limits" in r.url else None,
    )
    return sent


@pytest.mark.parametrize(
    "issue",
    [
        pytest.param("noise", id="grain-limit-raised"),
        pytest.param("detail_loss", id="detail-limit-lowered"),
        pytest.param("blocking", id="blocking-limit-raised"),
        pytest.param("blank", id="blank-limit-lowered"),
    ],
)
def test_a_limit_moved_past_the_measure_turns_the_picture_good(
    page: Any, setup_demo: Any, issue: str
) -> None:
    demo = setup_demo(flagging((issue,)))
    open_setup(page, demo, POOR)
    name = ISSUE_MEASURE[issue]
    severity = "bad" if issue == "blank" else "warn"
    shown = "blank" if issue == "blank" else issue
    expect_line(page, "poor", shown, severity, ONE_ISSUE[issue])
    expect(by_test_id(page, "pl-enabled")).to_be_checked()
    expect_limit_shown(page, name, flagging((issue,))[LIMIT_KEYS[name]])

    # Well past the 10% an issue needs to clear, within the limit's bounds.
    measured = getattr(MEASURED, name)
    new = round(min(measured * 1.5, 10.0) if name in ("noise", "blocking") else measured / 2, 2)
    by_test_id(page, f"pl-{name}").fill(str(new))
    by_test_id(page, "pl-save").click()

    status = by_test_id(page, "pl-status")
    expect(status).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect(status).to_have_text(re.compile("saved"))
    expect_limit_shown(page, name, new)
    expect_line(page, "good", "", "", "Picture: good")
    expect(by_test_id(page, f"picture-{name}")).to_have_attribute("data-range", "clear")

    # The window the form does not show is the YAML's still (NEUTRAL_LIMITS: one frame).
    window = page.evaluate(
        "(id) => fetch(`/api/sites/${id}`).then((r) => r.json())"
        ".then((site) => site.setup.picture_limits.window_frames)",
        POOR,
    )
    assert window == 1

    reload_setup(page, POOR)  # the limits are the site's now, not the page's
    expect(by_test_id(page, "pl-enabled")).to_be_checked()
    expect_limit_shown(page, name, new)
    expect_line(page, "good", "", "", "Picture: good")


def test_turning_assessment_off_leaves_the_picture_unassessed(page: Any, setup_demo: Any) -> None:
    limits = flagging(("noise",))
    demo = setup_demo(limits)
    open_setup(page, demo, POOR)
    expect_line(page, "poor", "noise", "warn", ONE_ISSUE["noise"])

    by_test_id(page, "pl-enabled").uncheck()
    by_test_id(page, "pl-save").click()

    expect(by_test_id(page, "pl-status")).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect_line(page, "unassessed", "", "", "Picture: not assessed")
    expect(by_test_id(page, "picture-measures")).to_be_hidden()
    expect(by_test_id(page, "pl-enabled")).not_to_be_checked()
    # What was sent is what the site keeps for when assessment is turned back on.
    assert float(by_test_id(page, "pl-noise").input_value()) == pytest.approx(limits["noise_limit"])

    reload_setup(page, POOR)
    expect(by_test_id(page, "pl-enabled")).not_to_be_checked()
    expect_line(page, "unassessed", "", "", "Picture: not assessed")


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        # The input's min (1) does not stop this: the form is `novalidate`, as the page's
        # other forms are, so the page gives the reason itself.
        pytest.param("blocking", "0.5", BLOCKY, id="blocking-below-its-minimum"),
        # The input allows 1; the server's bound is exclusive.
        pytest.param("blocking", "1", BLOCKY, id="blocking-at-its-exclusive-minimum"),
        pytest.param("noise", "0", "Grainy above: must be a number more than 0", id="no-grain"),
        pytest.param(
            "detail",
            "5.5",
            "Detail lost below: must be a number at least 0 and at most 5",
            id="detail-over-its-maximum",
        ),
        pytest.param("spread", "", "Blank below: must be a number", id="spread-empty"),
    ],
)
def test_a_limit_out_of_bounds_is_refused_with_its_reason(
    page: Any, setup_demo: Any, name: str, value: str, reason: str
) -> None:
    limits = flagging(("blocking",))
    demo = setup_demo(limits)
    open_setup(page, demo, POOR)
    expect_line(page, "poor", "blocking", "warn", ONE_ISSUE["blocking"])
    saves = count_saves(page)

    field = by_test_id(page, f"pl-{name}")
    field.fill(value)
    by_test_id(page, "pl-save").click()

    status = by_test_id(page, "pl-status")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_contain_text(reason)
    expect(field).to_have_attribute("aria-invalid", "true")
    assert saves == []
    expect_limit_in_force(page, "blocking", limits["blocking_limit"])
    expect_line(page, "poor", "blocking", "warn", ONE_ISSUE["blocking"])

    reload_setup(page, POOR)
    for measure, key in LIMIT_KEYS.items():
        expect_limit_shown(page, measure, limits[key])


@pytest.mark.parametrize(
    ("name", "outside", "edge"),
    [
        pytest.param("noise", 0, 100, id="noise"),
        pytest.param("detail", -0.01, 5, id="detail"),
        pytest.param("blocking", 1, 10, id="blocking"),
        pytest.param("spread", 100.01, 0, id="spread"),
    ],
)
def test_the_forms_bounds_are_the_servers(
    page: Any, setup_demo: Any, name: str, outside: float, edge: float
) -> None:
    """What the form refuses the server refuses too, naming the field, and what the form
    allows the server takes: the page's own check never stands in the way of a valid limit."""
    limits = flagging(())
    demo = setup_demo(limits)
    open_setup(page, demo, POOR)
    field = by_test_id(page, f"pl-{name}")
    # In the page's session, as the form would send it, but past the form's own check.
    put = """async (body) => {
        const res = await fetch("/api/sites/pozi-street/picture-limits", {
            method: "PUT",
            headers: { "Content-Type": "application/json",
                       "X-CSRF-Token": decodeURIComponent(
                           document.cookie.match(/cm_csrf=([^;]*)/)?.[1] ?? "") },
            body: JSON.stringify(body),
        });
        return { status: res.status, body: await res.json() };
    }"""
    key = LIMIT_KEYS[name]

    field.fill(str(outside))
    by_test_id(page, "pl-save").click()
    expect(by_test_id(page, "pl-status")).to_have_attribute("data-state", "error")
    refused = page.evaluate(put, {"enabled": True, key: outside})
    assert refused["status"] == 422, refused
    assert [e["loc"] for e in refused["body"]["detail"]] == [["body", key]]

    field.fill(str(edge))
    by_test_id(page, "pl-save").click()
    expect(by_test_id(page, "pl-status")).to_have_attribute("data-state", "saved", timeout=WAIT_MS)
    expect_limit_shown(page, name, edge)


def test_only_a_supervisor_may_change_the_limits(page: Any, tmp_path: Path) -> None:
    limits = flagging(("blocking",))
    with demos(tmp_path, OPERATOR, Role.OPERATOR) as make:
        demo: Demo = make(limits)
        page.goto(demo.live.server.url(f"/setup.html?site={POOR}"))
        sign_in(page, OPERATOR)
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=WAIT_MS)
        expect(by_test_id(page, "setup-error")).to_contain_text("supervisor")

        by_test_id(page, "pl-blocking").fill("9")
        by_test_id(page, "pl-save").click()

        status = by_test_id(page, "pl-status")
        expect(status).to_have_attribute("data-state", "error", timeout=WAIT_MS)
        expect(status).to_contain_text("needs the supervisor role")  # the server's reason
        expect_limit_in_force(page, "blocking", limits["blocking_limit"])
