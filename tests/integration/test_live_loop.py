"""The whole loop in one process: a video file → real frame source → pipeline → store →
real uvicorn server → a real websocket client, as the demo runs it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from monitor.application import Application, build_application
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from monitor.store.factory import open_store
from tests.support.auth import api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.clips import write_clip
from tests.support.config import minimal_site
from tests.support.server import RunningServer, running_server

# Quiet, then a crowd of six for two seconds, then quiet again; the clip loops.
CROWD_TIMELINE = [0] * 15 + [6] * 20 + [0] * 15


def site(source: Path, site_id: str) -> dict[str, Any]:
    return minimal_site(
        id=site_id,
        source=str(source),
        analysis_fps=5,
        roi=[[0, 0], [160, 0], [160, 120], [0, 120]],
        thresholds={
            "metric": "count",
            "min_duration_s": 0.3,
            "cooldown_s": 0,
            "levels": [{"name": "elevated", "color": "#f5c542", "enter": 4, "exit": 2}],
        },
    )


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Application, RunningServer]]:
    clip = write_clip(tmp_path / "crowd.avi", CROWD_TIMELINE)
    # A lens covered all along: black frames, which the picture check reads as blank. (Not
    # the crowd clip: its frames with people are no blank picture, and would alert.)
    covered = write_clip(tmp_path / "covered.avi", [0] * len(CROWD_TIMELINE))
    config = AppConfig.model_validate(
        {
            "sites": [
                site(clip, "wuyi-square"),
                site(tmp_path / "vanished.avi", "pozi-street"),
                site(covered, "covered-lens") | {"image_quality": {"enabled": True}},
            ]
        }
    )
    settings = Settings(data_dir=tmp_path / "data", sample_cache=tmp_path / "cache")
    application = build_application(config, settings, estimator=BlobCountEstimator())
    app = application.start()
    try:
        with running_server(app) as server:
            yield application, server
    finally:
        application.stop()


def operator(application: Application) -> dict[str, str]:
    """Headers that act as the operator 'officer.li' (created on first use)."""
    assert application.auth is not None
    return bearer(api_token(application.auth, "officer.li", Role.OPERATOR))


def stored_readings(
    server: RunningServer, site_id: str, headers: dict[str, str], at_least: int
) -> list[dict[str, Any]]:
    """The site's stored readings, once there are `at_least` (the writer batches them)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        url = server.url(f"/api/sites/{site_id}/readings")
        readings: list[dict[str, Any]] = httpx.get(url, headers=headers).json()
        if len(readings) >= at_least:
            return readings
        time.sleep(0.3)
    pytest.fail(f"fewer than {at_least} readings of {site_id} stored within 20 s")


def receive_until(ws: ClientConnection, wanted: Any, timeout: float = 20.0) -> list[dict[str, Any]]:
    """Messages up to and including the first one `wanted` accepts."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = json.loads(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
        seen.append(message)
        if wanted(message):
            return seen
    raise AssertionError(f"not seen within {timeout:g}s; got types {[m['type'] for m in seen]}")


def alert_kind(kind: str) -> Any:
    return lambda m: m["type"] == "alert" and m["payload"]["event"]["kind"] == kind


@pytest.mark.slow
def test_alert_fires_and_clears_over_the_websocket(live: tuple[Application, RunningServer]) -> None:
    application, server = live
    as_li = operator(application)
    with connect(server.ws_url("/ws"), additional_headers=as_li) as ws:
        snapshot = json.loads(ws.recv(timeout=10))
        assert snapshot["type"] == "snapshot"
        sites = {s["id"] for s in snapshot["payload"]["sites"]}
        assert sites == {"wuyi-square", "pozi-street", "covered-lens"}

        until_raised = receive_until(ws, alert_kind("raised"))
        readings = [
            m for m in until_raised if m["type"] == "reading" and m["site_id"] == "wuyi-square"
        ]
        assert readings, "readings flow before the alert"
        assert {"count", "mean_density", "peak_density", "grid", "captured_at"} <= readings[-1][
            "payload"
        ].keys()
        raised = until_raised[-1]
        assert raised["site_id"] == "wuyi-square"
        covered = [m for m in until_raised if m["site_id"] == "covered-lens"]
        # Its readings flowed alongside, every one blank, and raised nothing.
        covered_readings = [m["payload"] for m in covered if m["type"] == "reading"]
        assert covered_readings
        assert {m["type"] for m in covered} <= {"reading", "site_status"}
        assert all(r["image_quality"]["issues"] == ["blank"] for r in covered_readings)
        # The alert is published before the reading of the frame that raised it, and is
        # stamped with that frame's capture time (delay is measured in bench/).
        causing = receive_until(
            ws, lambda m: m["type"] == "reading" and m["site_id"] == "wuyi-square"
        )[-1]
        assert causing["payload"]["captured_at"] == raised["payload"]["event"]["at"]
        assert causing["payload"]["level"] == "elevated"
        assert causing["payload"]["count"] >= 4
        alert_id = raised["payload"]["alert"]["id"]

        ack = httpx.post(
            server.url(f"/api/alerts/{alert_id}/ack"),
            json={"note": "platform 2 on the way"},
            headers=as_li,
        )
        assert ack.status_code == 200, ack.text
        receive_until(ws, alert_kind("acknowledged"))
        cleared = receive_until(ws, alert_kind("cleared"))[-1]
        assert cleared["payload"]["alert"]["id"] == alert_id
        resolve = httpx.post(
            server.url(f"/api/alerts/{alert_id}/resolve"),
            json={"outcome": "crowd moved on"},
            headers=as_li,
        )
        assert resolve.status_code == 200, resolve.text
        receive_until(ws, alert_kind("resolved"))

    detail = httpx.get(server.url(f"/api/alerts/{alert_id}"), headers=as_li).json()
    assert [e["kind"] for e in detail["events"]] == [
        "raised",
        "acknowledged",
        "cleared",
        "resolved",
    ]
    assert detail["events"][1]["by"] == "officer.li"


@pytest.mark.slow
def test_vanished_source_is_offline_and_others_run_on(
    live: tuple[Application, RunningServer],
) -> None:
    application, server = live
    as_li = operator(application)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        sites = {s["id"]: s for s in httpx.get(server.url("/api/sites"), headers=as_li).json()}
        if sites["pozi-street"]["status"] == "offline" and sites["wuyi-square"]["latest"]:
            break
        time.sleep(0.2)
    assert sites["pozi-street"]["status"] == "offline"
    assert "vanished.avi" in sites["pozi-street"]["status_reason"]
    assert sites["wuyi-square"]["status"] == "online"
    assert sites["wuyi-square"]["latest"]["count"] >= 0


@pytest.mark.slow
def test_history_and_snapshot_over_http(live: tuple[Application, RunningServer]) -> None:
    application, server = live
    as_li = operator(application)
    readings = stored_readings(server, "wuyi-square", as_li, at_least=3)
    assert [r["captured_at"] for r in readings] == sorted(r["captured_at"] for r in readings)
    snapshot = httpx.get(server.url("/api/sites/wuyi-square/snapshot.jpg"), headers=as_li)
    assert snapshot.status_code == 200
    assert snapshot.headers["content-type"] == "image/jpeg"
    assert snapshot.content.startswith(b"\xff\xd8")


@pytest.mark.slow
def test_camera_health_from_the_stored_readings(live: tuple[Application, RunningServer]) -> None:
    application, server = live
    as_li = operator(application)
    readings = stored_readings(server, "covered-lens", as_li, at_least=3)
    since = readings[0]["captured_at"]
    until = readings[-1]["captured_at"]

    response = httpx.get(
        server.url("/api/camera-health"),
        params={"since": since, "until": until, "bins": 1},
        headers=as_li,
    )

    assert response.status_code == 200, response.text
    sites = {s["site_id"]: s for s in response.json()["sites"]}
    span = until - since
    covered = sites["covered-lens"]
    assert covered["times"]["poor_s"] == pytest.approx(span)
    assert covered["issue_s"]["blank"] == pytest.approx(span)
    assert covered["picture_now"] == ["blank"]
    assert covered["longest"]["issues"] == ["blank"]
    unchecked = sites["wuyi-square"]
    assert unchecked["times"]["poor_s"] == 0
    assert unchecked["picture_now"] is None
    vanished = sites["pozi-street"]
    assert vanished["status"] == "offline"
    # Its file was missing from the start: the recorded status says why it was dark.
    assert vanished["times"]["offline_s"] == pytest.approx(span)
    assert vanished["times"]["dark_s"] == 0
    (outage,) = vanished["outages"]
    assert outage["open_ended"] is True
    assert "vanished.avi" in " ".join(outage["reasons"])


@pytest.mark.slow
def test_the_status_history_survives_the_monitor(tmp_path: Path) -> None:
    """Each site's changes, and `stopped` for all of them when the monitor shuts down."""
    clip = write_clip(tmp_path / "crowd.avi", CROWD_TIMELINE)
    config = AppConfig.model_validate(
        {"sites": [site(clip, "wuyi-square"), site(tmp_path / "vanished.avi", "pozi-street")]}
    )
    settings = Settings(data_dir=tmp_path / "data", sample_cache=tmp_path / "cache")
    application = build_application(config, settings, estimator=BlobCountEstimator())
    application.start()
    try:
        assert application.runtime is not None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            statuses = {s.id: s.status for s in application.runtime.sites()}
            if statuses == {"wuyi-square": "online", "pozi-street": "offline"}:
                break
            time.sleep(0.05)
    finally:
        application.stop()

    store = open_store(settings.database_url, settings.data_dir)
    try:
        history = {
            site_id: [c.status for c in reversed(store.status_history(site_id, None, None, 10))]
            for site_id in ("wuyi-square", "pozi-street")
        }
    finally:
        store.close()
    assert history == {
        "wuyi-square": ["starting", "online", "stopped"],
        "pozi-street": ["starting", "offline", "stopped"],
    }
