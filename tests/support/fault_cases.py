"""The cases that hold the live page's camera faults (web/js/faults.js) and the server's
(monitor/faults/camera.py) to one definition.

Each case is a site as the websocket sends it (only the fields that matter; the rest are
filled in by whoever builds one) and the fault it has at NOW, or None. The page also words
each fault; `text` is checked there only.
"""

from __future__ import annotations

from typing import Any

import pytest

NOW = 1_000_000.0
SITE: dict[str, Any] = {
    "id": "s",
    "name_en": "S",
    "status": "online",
    "status_reason": "",
    "latest": None,
}


def reading(
    age_s: float, issues: list[str] | None = None, captured_age_s: float | None = None
) -> dict[str, Any]:
    """A latest reading analysed `age_s` ago; `issues`: its picture's, None: not assessed."""
    captured = NOW - (age_s if captured_age_s is None else captured_age_s)
    quality = None if issues is None else {"issues": issues}
    return {"analysed_at": NOW - age_s, "captured_at": captured, "image_quality": quality}


def fault(kind: str, severity: str, since: float | None, text: str) -> dict[str, Any]:
    return {"kind": kind, "severity": severity, "since": since, "text": text}


GRAINY = "Picture: grainy (night or high gain): counts may be off"

CASES = [
    pytest.param({}, None, id="online-without-a-reading"),
    pytest.param({"latest": reading(3)}, None, id="fresh-unassessed"),
    pytest.param({"latest": reading(3, [])}, None, id="fresh-good-picture"),
    pytest.param(
        {"latest": reading(20)}, fault("stalled", "bad", NOW - 20, "no new picture"), id="stalled"
    ),
    pytest.param({"latest": reading(15)}, None, id="just-not-stalled"),
    pytest.param(
        {"latest": reading(20, ["noise"]), "picture_since": NOW - 90},
        fault("stalled", "bad", NOW - 20, "no new picture"),
        id="stalled-outranks-a-poor-picture",
    ),
    pytest.param(
        {"status": "offline", "status_since": NOW - 60, "status_reason": "gone"},
        fault("offline", "bad", NOW - 60, "camera offline"),
        id="offline",
    ),
    pytest.param(
        {"status": "offline", "status_since": None, "latest": reading(600)},
        fault("offline", "bad", None, "camera offline"),
        id="offline-before-its-first-change",
    ),
    pytest.param({"status": "starting", "status_since": NOW - 10}, None, id="starting-a-while"),
    pytest.param(
        {"status": "starting", "status_since": NOW - 45},
        fault("starting", "warn", NOW - 45, "not connected yet"),
        id="starting-too-long",
    ),
    pytest.param(
        # Reconnecting, its last reading old: not stalled (the stream is not up), but the
        # picture it last had still says what it was.
        {"status": "starting", "status_since": NOW - 5, "latest": reading(40, ["noise"])},
        fault("picture", "warn", NOW - 40, GRAINY),
        id="reconnecting-with-a-poor-last-picture",
    ),
    pytest.param(
        {"picture_since": NOW - 90, "latest": reading(1, ["noise"])},
        fault("picture", "warn", NOW - 90, GRAINY),
        id="grainy-picture",
    ),
    pytest.param(
        {"latest": reading(1, ["noise"], captured_age_s=2)},
        fault("picture", "warn", NOW - 2, GRAINY),
        id="poor-picture-without-its-since",
    ),
    pytest.param(
        {"picture_since": NOW - 90, "latest": reading(1, ["detail_loss", "noise"])},
        fault(
            "picture",
            "warn",
            NOW - 90,
            "Picture: starved stream or blur, grainy (night or high gain): counts may be off",
        ),
        id="two-issues",
    ),
    pytest.param(
        {"picture_since": NOW - 90, "latest": reading(1, ["blank"])},
        fault("picture", "bad", NOW - 90, "Picture blank (lens covered?): count meaningless"),
        id="blank-picture",
    ),
]

# An acknowledgement of {kind: offline, since: 10} with `expected_back`, judged at `now`:
# "in force" (the fault is taken in hand) or "overdue" (the repair slipped).
ACK_CASES = [
    pytest.param(None, 5000, "in force", id="until-it-recovers"),
    pytest.param(2000, 1999, "in force", id="before-its-time"),
    pytest.param(2000, 2000, "overdue", id="at-its-time"),
    pytest.param(2000, 9000, "overdue", id="long-past"),
]
