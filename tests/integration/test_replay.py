"""Record through the real pipeline, then replay through the real API.

A marked clip (every frame tellable apart) plays through the real FrameSource; the site
records continuously in 2 s segments while the blob counter raises and clears an alert.
The tests then list, stream, decode and export what was recorded, over real HTTP.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from websockets.sync.client import connect

from monitor.application import Application, build_application
from monitor.audit.log import AuditQuery
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from monitor.ingest.frames import CapturedFrame
from monitor.recording.export import verify_export
from monitor.render.overlay import draw_heat
from tests.support.auth import api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.config import minimal_site
from tests.support.recording import FrameLog, mean_abs_diff, write_marked_clip
from tests.support.server import RunningServer, running_server

pytestmark = pytest.mark.slow

SITE = "wuyi-square"
ROI = [[0, 0], [160, 0], [160, 120], [0, 120]]
# Quiet, a crowd of six for two seconds, quiet again; the clip loops.
TIMELINE = [0] * 20 + [6] * 20 + [0] * 20
WAIT_S = 60.0


def site_config(source: Path, policy: str = "continuous") -> dict[str, Any]:
    return minimal_site(
        id=SITE,
        source=str(source),
        analysis_fps=5,
        roi=ROI,
        thresholds={
            "metric": "count",
            "min_duration_s": 0.3,
            "cooldown_s": 0,
            "levels": [{"name": "elevated", "color": "#f5c542", "enter": 4, "exit": 2}],
        },
        recording={"policy": policy, "segment_s": 2, "pre_s": 1, "post_s": 1},
    )


@dataclass
class Recorded:
    application: Application
    server: RunningServer
    http: httpx.Client
    frames: FrameLog


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:g}s: {what}")


def tap_frames(application: Application) -> FrameLog:
    assert application.recording is not None
    recorder = application.recording.recorders[SITE]
    log = FrameLog(recorder.offer)
    application.frame_taps.attach(SITE, log)
    return log


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    tmp = tmp_path_factory.mktemp("replay")
    clip = write_marked_clip(tmp / "crowd.avi", TIMELINE)
    config = AppConfig.model_validate({"sites": [site_config(clip)]})
    settings = Settings(data_dir=tmp / "data", sample_cache=tmp / "cache")
    application = build_application(config, settings, estimator=BlobCountEstimator())
    app = application.start()
    try:
        frames = tap_frames(application)
        assert application.auth is not None
        token = api_token(application.auth, "li", Role.SUPERVISOR)
        with (
            running_server(app) as server,
            httpx.Client(base_url=server.base_url, headers=bearer(token), timeout=30) as http,
        ):
            wait_for(
                lambda: [a for a in http.get("/api/alerts").json() if a["cleared_at"]],
                "an alert raised and cleared",
            )
            wait_for(
                lambda: len(http.get(f"/api/sites/{SITE}/recordings").json()) >= 3,
                "three closed segments",
            )
            yield Recorded(application, server, http, frames)
    finally:
        application.stop()


def segments(recorded: Recorded) -> list[dict[str, Any]]:
    listed = recorded.http.get(f"/api/sites/{SITE}/recordings")
    assert listed.status_code == 200, listed.text
    found: list[dict[str, Any]] = listed.json()
    return found


def test_segments_are_listed_in_order_and_whole(recorded: Recorded) -> None:
    found = segments(recorded)
    assert [s["start"] for s in found] == sorted(s["start"] for s in found)
    assert all(s["health"] == "ok" for s in found), found
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(found))
    root = recorded.application.settings.data_dir / "recordings" / SITE
    on_disk = {p.name: p.stat().st_size for p in root.glob("*.mp4")}
    for segment in found:
        assert on_disk[f"{round(segment['start'] * 1000)}.mp4"] == segment["size"]
    later = recorded.http.get(
        f"/api/sites/{SITE}/recordings", params={"since": found[-1]["start"]}
    ).json()
    assert next(s["id"] for s in later) == found[-1]["id"]


def test_range_request_returns_the_right_bytes(recorded: Recorded) -> None:
    segment = segments(recorded)[0]
    path = (
        recorded.application.settings.data_dir
        / "recordings"
        / SITE
        / (f"{round(segment['start'] * 1000)}.mp4")
    )
    whole = path.read_bytes()
    response = recorded.http.get(segment["video_url"], headers={"Range": "bytes=100-1099"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 100-1099/{len(whole)}"
    assert response.content == whole[100:1100]
    full = recorded.http.get(segment["video_url"])
    assert full.status_code == 200
    assert full.headers["content-type"] == "video/mp4"
    assert full.content == whole


def decode_jpeg(content: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def frame_in_middle(recorded: Recorded) -> tuple[CapturedFrame, list[CapturedFrame]]:
    """A captured frame in the middle of the second segment, and all captured frames."""
    segment = segments(recorded)[1]
    frames = recorded.frames.snapshot()
    inside = [f for f in frames if segment["start"] < f.captured_at < segment["end"]]
    assert len(inside) >= 5, "the tap saw the recorded frames"
    return inside[len(inside) // 2], frames


def test_frame_at_t_is_the_source_frame_at_t(recorded: Recorded) -> None:
    source, frames = frame_in_middle(recorded)
    response = recorded.http.get(
        f"/api/sites/{SITE}/frame.jpg", params={"at": source.captured_at, "overlay": "false"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert float(response.headers["x-frame-at"]) == pytest.approx(source.captured_at, abs=0.002)
    image = decode_jpeg(response.content)
    assert image.shape == source.image.shape
    # The closest of all captured frames is the one at t, and it is close in absolute terms.
    diffs = sorted((mean_abs_diff(image, f.image), f.seq) for f in frames)
    assert diffs[0][1] == source.seq
    assert diffs[0][0] < 2.0


def test_overlay_uses_the_reading_at_t(recorded: Recorded) -> None:
    segment = segments(recorded)[1]
    readings = recorded.http.get(
        f"/api/sites/{SITE}/readings", params={"since": segment["start"], "until": segment["end"]}
    ).json()
    # An analysed frame: the reading at t is the one made from the frame at t.
    reading = readings[len(readings) // 2]
    at = reading["captured_at"]
    plain = recorded.http.get(f"/api/sites/{SITE}/frame.jpg", params={"at": at, "overlay": "false"})
    drawn = recorded.http.get(f"/api/sites/{SITE}/frame.jpg", params={"at": at})
    assert float(drawn.headers["x-reading-at"]) == at
    assert "x-reading-at" not in plain.headers
    expected = draw_heat(
        decode_jpeg(plain.content), reading["grid"], [(float(x), float(y)) for x, y in ROI]
    )
    assert mean_abs_diff(decode_jpeg(drawn.content), expected) < 2.0
    assert mean_abs_diff(decode_jpeg(drawn.content), decode_jpeg(plain.content)) > 2.0


def test_frame_far_from_any_recording_is_404(recorded: Recorded) -> None:
    first = segments(recorded)[0]
    response = recorded.http.get(
        f"/api/sites/{SITE}/frame.jpg", params={"at": first["start"] - 3600}
    )
    assert response.status_code == 404
    assert "nothing recorded" in response.json()["detail"]


def test_alert_marks_for_the_range(recorded: Recorded) -> None:
    found = segments(recorded)
    marks = recorded.http.get(
        f"/api/sites/{SITE}/alerts", params={"since": found[0]["start"] - 60, "until": time.time()}
    ).json()
    kinds = [m["kind"] for m in marks]
    assert "raised" in kinds
    assert "cleared" in kinds
    assert [m["at"] for m in marks] == sorted(m["at"] for m in marks)


def test_export_manifest_verifies_and_tampering_shows(recorded: Recorded, tmp_path: Path) -> None:
    found = segments(recorded)
    body = {"since": found[0]["start"], "until": found[-1]["end"], "site_ids": [SITE]}
    response = recorded.http.post("/api/exports", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    pack = tmp_path / "pack.zip"
    pack.write_bytes(response.content)
    assert verify_export(pack) == []
    with zipfile.ZipFile(pack) as opened:
        names = set(opened.namelist())
        manifest = json.loads(opened.read("manifest.json"))
        csv_lines = opened.read(f"readings/{SITE}.csv").decode().splitlines()
        status_lines = opened.read(f"status/{SITE}.csv").decode().splitlines()
        alerts = json.loads(opened.read("alerts.json"))
    assert {f"clips/{SITE}/{round(s['start'] * 1000)}.mp4" for s in found} <= names
    assert {"alerts.json", f"readings/{SITE}.csv", "manifest.json"} <= names
    assert csv_lines[0].startswith("site_id,seq,captured_at")
    assert len(csv_lines) > 5
    # From the status in force when the pack starts (the first frame may come before the
    # camera is reported online) to the camera online.
    assert status_lines[0] == "site_id,at,status,reason"
    statuses = [line.split(",")[2] for line in status_lines[1:]]
    assert statuses[-1] == "online"
    assert set(statuses) <= {"starting", "online"}
    assert all(line.startswith(f"{SITE},") for line in status_lines[1:])
    assert all(entry["alert"]["site_id"] == SITE for entry in alerts)
    assert manifest["skipped"] == []
    import hashlib

    assert (
        response.headers["x-manifest-sha256"]
        == hashlib.sha256(
            zipfile.ZipFile(io.BytesIO(response.content)).read("manifest.json")
        ).hexdigest()
    )

    # Change one byte of one clip: the manifest no longer matches.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(pack) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == f"readings/{SITE}.csv":
                data = data.replace(b"elevated", b"normal", 1) + b"\n"
            dst.writestr(name, data)
    problems = verify_export(tampered)
    assert len(problems) == 1
    assert problems[0].startswith(f"readings/{SITE}.csv: sha256")


def test_blurred_export_hides_people(recorded: Recorded, tmp_path: Path) -> None:
    source, _ = frame_in_middle(recorded)
    body = {"since": source.captured_at - 1, "until": source.captured_at + 1, "site_ids": [SITE]}
    plain = recorded.http.post("/api/exports", json=body)
    blurred = recorded.http.post("/api/exports", json=body | {"blur": True})
    assert blurred.status_code == 200, blurred.text
    pack = tmp_path / "blurred.zip"
    pack.write_bytes(blurred.content)
    assert verify_export(pack) == []
    with zipfile.ZipFile(io.BytesIO(plain.content)) as p, zipfile.ZipFile(pack) as b:
        clip_names = [n for n in p.namelist() if n.endswith(".mp4")]
        assert clip_names
        assert clip_names == [n for n in b.namelist() if n.endswith(".mp4")]
        assert json.loads(b.read("manifest.json"))["blurred"] is True
        assert p.read(clip_names[0]) != b.read(clip_names[0])


def test_whatif_replays_the_recorded_readings(recorded: Recorded) -> None:
    found = segments(recorded)
    since, until = found[0]["start"], found[-1]["end"]
    actual = [
        a
        for a in recorded.http.get("/api/alerts", params={"site_id": SITE}).json()
        if since <= a["raised_at"] <= until
    ]
    lower = {
        "metric": "count",
        "min_duration_s": 0.3,
        "cooldown_s": 0,
        "levels": [{"name": "elevated", "color": "#f5c542", "enter": 1, "exit": 0.5}],
    }
    response = recorded.http.post(
        "/api/whatif", json={"site_id": SITE, "since": since, "until": until, "thresholds": lower}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["readings"] > 10
    # The thresholds in force, replayed, raise exactly when the live monitor did.
    replayed = sorted(a["raised_at"] for a in result["in_force"]["alerts"])
    assert replayed == sorted(a["raised_at"] for a in actual)
    # A lower level raises no later than the one in force.
    if result["first_alert"]["in_force_raised_at"] is not None:
        assert result["first_alert"]["minutes_earlier"] >= 0


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        pytest.param({"since": 10, "until": 5, "site_ids": [SITE]}, 422, "until", id="reversed"),
        pytest.param(
            {"since": 0, "until": 86_400, "site_ids": [SITE]}, 422, "at most", id="too-long"
        ),
        pytest.param(
            {"since": 0, "until": 5, "site_ids": ["nowhere"]}, 404, "nowhere", id="unknown-site"
        ),
    ],
)
def test_bad_export_requests(
    recorded: Recorded, body: dict[str, Any], status: int, detail: str
) -> None:
    response = recorded.http.post("/api/exports", json=body)
    assert response.status_code == status
    assert detail in json.dumps(response.json()["detail"])


def test_missing_segment_is_reported_and_skipped(recorded: Recorded) -> None:
    found = segments(recorded)
    victim = found[0]
    path = (
        recorded.application.settings.data_dir
        / "recordings"
        / SITE
        / (f"{round(victim['start'] * 1000)}.mp4")
    )
    path.rename(path.with_suffix(".moved"))
    try:
        listed = {s["id"]: s for s in segments(recorded)}
        assert listed[victim["id"]]["health"] == "missing"
        assert recorded.http.get(victim["video_url"]).status_code == 410
        frame = recorded.http.get(
            f"/api/sites/{SITE}/frame.jpg", params={"at": victim["start"] + 0.5}
        )
        assert frame.status_code == 410
        assert "missing" in frame.json()["detail"]
        export = recorded.http.post(
            "/api/exports",
            json={"since": victim["start"], "until": found[1]["end"], "site_ids": [SITE]},
        )
        manifest = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("manifest.json"))
        assert any(str(victim["id"]) in why for why in manifest["skipped"])
    finally:
        path.with_suffix(".moved").rename(path)


def test_replay_needs_an_operator(recorded: Recorded) -> None:
    assert recorded.application.auth is not None
    viewer = api_token(recorded.application.auth, "guest", Role.VIEWER)
    url = recorded.server.url(f"/api/sites/{SITE}/recordings")
    response = httpx.get(url, headers=bearer(viewer))
    assert response.status_code == 403
    anonymous = httpx.get(url)
    assert anonymous.status_code == 401


def is_paused(message: dict[str, Any]) -> bool:
    return bool(
        message["type"] == "recording" and message["payload"]["recording"]["status"] == "paused"
    )


def is_raise(message: dict[str, Any]) -> bool:
    return bool(message["type"] == "alert" and message["payload"]["event"]["kind"] == "raised")


def full_disk(path: Path) -> io.BufferedRandom:
    # /dev/full fails every write with ENOSPC: the kernel's own full disk.
    return open("/dev/full", "w+b")


def test_full_disk_pauses_recording_but_alerts_go_on(tmp_path: Path) -> None:
    clip = write_marked_clip(tmp_path / "crowd.avi", TIMELINE)
    config = AppConfig.model_validate({"sites": [site_config(clip)]})
    settings = Settings(data_dir=tmp_path / "data", sample_cache=tmp_path / "cache")
    application = build_application(config, settings, estimator=BlobCountEstimator())
    application.recording_opener = full_disk
    app = application.start()
    try:
        assert application.auth is not None
        token = api_token(application.auth, "li", Role.OPERATOR)
        with (
            running_server(app) as server,
            connect(server.ws_url("/ws"), additional_headers=bearer(token)) as ws,
        ):
            seen: list[dict[str, Any]] = []
            deadline = time.monotonic() + WAIT_S
            while time.monotonic() < deadline and not (
                any(
                    m["type"] == "recording" and m["payload"]["recording"]["status"] == "paused"
                    for m in seen
                )
                and any(
                    m["type"] == "alert" and m["payload"]["event"]["kind"] == "raised" for m in seen
                )
            ):
                seen.append(json.loads(ws.recv(timeout=WAIT_S)))
            paused = [m for m in seen if m["type"] == "recording"]
            assert paused
            assert "No space left on device" in paused[-1]["payload"]["recording"]["reason"]
            assert any(m["type"] == "alert" for m in seen), "alerts go on while recording is paused"
            site = httpx.get(server.url(f"/api/sites/{SITE}"), headers=bearer(token)).json()
            assert site["recording"]["status"] == "paused"
            assert site["status"] == "online"
            listed = httpx.get(server.url(f"/api/sites/{SITE}/recordings"), headers=bearer(token))
            assert listed.json() == []
        assert not list((settings.data_dir / "recordings").rglob("*.part"))
    finally:
        application.stop()


def test_pins_need_a_supervisor_and_are_audited(recorded: Recorded) -> None:
    application = recorded.application
    assert application.auth is not None
    assert application.audit is not None
    found = segments(recorded)
    body = {"site_id": SITE, "since": found[0]["start"], "until": found[0]["end"], "note": "review"}
    operator = api_token(application.auth, "zhang", Role.OPERATOR)
    refused = httpx.post(recorded.server.url("/api/pins"), json=body, headers=bearer(operator))
    assert refused.status_code == 403
    created = recorded.http.post("/api/pins", json=body)
    assert created.status_code == 201, created.text
    pin = created.json()
    assert pin["created_by"] == "li"
    assert pin in recorded.http.get("/api/pins").json()
    unknown = recorded.http.post("/api/pins", json=body | {"site_id": "nowhere"})
    assert unknown.status_code == 404
    assert recorded.http.delete(f"/api/pins/{pin['id']}").status_code == 204
    assert recorded.http.delete(f"/api/pins/{pin['id']}").status_code == 404
    actions = [e.action for e in application.audit.entries(AuditQuery(actor="li", limit=1000))]
    assert {"recording.pinned", "recording.unpinned", "replay.viewed", "export.created"} <= set(
        actions
    )


def test_a_cut_makes_the_footage_up_to_now_replayable(recorded: Recorded) -> None:
    # The site records 2 s segments: without the cut, up to 2 s behind. A segment under a
    # second old is left open, so the cut is asked for until the open one is old enough.
    def cut_now() -> tuple[float, dict[str, Any]]:
        # The frame before the latest: the tap logs a frame just before it hands it on.
        captured = recorded.frames.snapshot()[-2].captured_at
        response = recorded.http.post(f"/api/sites/{SITE}/recordings/cut")
        assert response.status_code == 200, response.text
        return captured, response.json()

    deadline = time.monotonic() + 10
    captured, cut = cut_now()
    while not cut["closed"]:
        assert cut == {"site_id": SITE, "closed": False, "until": None}
        assert time.monotonic() < deadline, "no cut closed a segment within 10 s"
        time.sleep(0.3)
        captured, cut = cut_now()
    assert cut["site_id"] == SITE
    # Every frame captured before the request is in (the encoder drops none here).
    assert cut["until"] >= captured
    last = segments(recorded)[-1]
    assert (last["end"], last["health"]) == (cut["until"], "ok")
    video = recorded.http.get(last["video_url"])
    assert video.status_code == 200
    assert len(video.content) == last["size"]
    # Recording goes on in a new segment.
    wait_for(lambda: segments(recorded)[-1]["start"] > cut["until"], "the next segment")
    assert recorded.application.auth is not None
    viewer = api_token(recorded.application.auth, "guest-2", Role.VIEWER)
    refused = httpx.post(
        recorded.server.url(f"/api/sites/{SITE}/recordings/cut"), headers=bearer(viewer)
    )
    assert refused.status_code == 403


def test_sigterm_closes_and_indexes_the_open_segments(tmp_path: Path) -> None:
    clip = write_marked_clip(tmp_path / "crowd.avi", TIMELINE)
    site = site_config(clip) | {"recording": {"policy": "continuous", "segment_s": 600}}
    config_path = tmp_path / "config.yaml"
    config_path.write_text(json.dumps({"estimator": {"name": "hog"}, "sites": [site]}))
    data = tmp_path / "data"
    env = os.environ | {
        "CROWD_MONITOR_ADMIN_PASSWORD": "a long test password",
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "monitor", "serve", "--config", str(config_path)]
    command += ["--port", "0", "--data-dir", str(data), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: list(data.glob("recordings/*/*.part")), "a segment being written")
        time.sleep(1.0)  # a second of video in it
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 128 + signal.SIGTERM, output.decode(errors="replace")
    assert not list(data.glob("recordings/*/*.part"))
    (closed,) = data.glob("recordings/*/*.mp4")
    with sqlite3.connect(data / "crowd-monitor.db") as db:
        rows = db.execute("SELECT path, size, frames FROM recording_segments").fetchall()
    assert rows == [(f"{SITE}/{closed.name}", closed.stat().st_size, rows[0][2])]
    assert rows[0][2] >= 5


def test_a_count_sample_can_be_taken_from_a_recorded_moment(recorded: Recorded) -> None:
    # Calibrating wants busy frames; the live one may be quiet by now. The model counts the
    # recorded frame afresh: as many as on the frame the camera gave at that moment.
    estimator = BlobCountEstimator()
    listed = segments(recorded)
    busy = next(
        frame
        for frame in recorded.frames.snapshot()
        if any(s["start"] + 0.3 < frame.captured_at < s["end"] - 0.3 for s in listed)
        and round(float(estimator.estimate(frame.image).values.sum())) == 6
    )
    response = recorded.http.post(
        f"/api/sites/{SITE}/count-samples", params={"at": busy.captured_at}
    )
    assert response.status_code == 200, response.text
    sample = response.json()
    assert sample["captured_at"] == pytest.approx(busy.captured_at, abs=0.002)
    assert sample["model_count"] == 6.0
    picture = recorded.http.get(sample["image_url"])
    assert decode_jpeg(picture.content).shape == busy.image.shape
    recorded.http.delete(f"/api/count-samples/{sample['id']}").raise_for_status()

    nothing = recorded.http.post(f"/api/sites/{SITE}/count-samples", params={"at": 1.0})
    assert nothing.status_code == 404
    assert "nothing recorded at site 'wuyi-square' near 1.000" in nothing.text
