"""The view check end to end: a real app with its store, file source and uvicorn server. A
camera moved while the monitor was down is flagged when it comes back, and a supervisor's
new set-up view clears it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from monitor.application import build_application
from monitor.audit.log import AuditQuery
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from monitor.density.base import Frame
from tests.support.auth import api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.config import minimal_site
from tests.support.server import running_server
from tests.support.street import SIZE, moved, street

SITE = "wuyi-square"
REGION = [[0, 160], [640, 160], [640, 480], [0, 480]]

pytestmark = pytest.mark.slow


def write_street(path: Path, frames: list[Frame]) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10.0, SIZE)
    try:
        for frame in frames:
            writer.write(frame)
    finally:
        writer.release()
    return path


def passers_by(camera: Callable[[Frame], Frame] = lambda frame: frame) -> list[Frame]:
    return [camera(street(people_seed=i % 6)) for i in range(40)]


@contextmanager
def serving(clip: Path, data: Path) -> Iterator[tuple[httpx.Client, httpx.Client, Any]]:
    site = minimal_site(
        source=str(clip),
        analysis_fps=5,
        roi=REGION,
        image_quality={"enabled": True},
    )
    settings = Settings(data_dir=data, sample_cache=data / "cache")
    application = build_application(
        AppConfig.model_validate({"sites": [site]}), settings, estimator=BlobCountEstimator()
    )
    app = application.start()
    try:
        assert application.auth is not None
        with running_server(app) as server:
            tokens = {
                role: bearer(api_token(application.auth, name, role))
                for role, name in ((Role.SUPERVISOR, "sup-li"), (Role.VIEWER, "viewer-wang"))
            }
            with (
                httpx.Client(base_url=server.base_url, headers=tokens[Role.SUPERVISOR]) as sup,
                httpx.Client(base_url=server.base_url, headers=tokens[Role.VIEWER]) as viewer,
            ):
                yield sup, viewer, application
    finally:
        application.stop()


Json = dict[str, Any]


def wait_for(http: httpx.Client, accept: Callable[[Json], bool], after: float) -> Json:
    """The first reading analysed after `after` whose picture `accept` takes, within 30 s."""
    deadline = time.monotonic() + 30
    latest: Json | None = None
    while time.monotonic() < deadline:
        latest = http.get(f"/api/sites/{SITE}").json()["latest"]
        if (
            latest is not None
            and latest["analysed_at"] > after
            and latest["image_quality"]
            and accept(latest["image_quality"])
        ):
            return latest
        time.sleep(0.2)
    raise AssertionError(f"no matching reading; last {latest}")


def view_of(http: httpx.Client) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        response = http.get(f"/api/sites/{SITE}/view-reference")
        if response.status_code == 200:
            result: dict[str, Any] = response.json()
            return result
        assert response.status_code == 404, response.text
        time.sleep(0.2)
    raise AssertionError("no set-up view taken")


def test_a_camera_moved_while_the_monitor_was_down_is_flagged_until_its_view_is_taken_again(
    tmp_path: Path,
) -> None:
    clip, data = tmp_path / "camera.avi", tmp_path / "data"
    write_street(clip, passers_by())
    with serving(clip, data) as (sup, _, _):
        first = view_of(sup)
        assert (first["taken_by"], first["width"], first["height"]) == ("system", *SIZE)
        assert first["checkable"] is True
        image = sup.get(f"/api/sites/{SITE}/view-reference.jpg")
        assert image.headers["content-type"] == "image/jpeg"
        decoded = cv2.imdecode(np.frombuffer(image.content, np.uint8), cv2.IMREAD_COLOR)
        assert decoded is not None
        assert decoded.shape == (SIZE[1], SIZE[0], 3)
        steady = wait_for(sup, lambda q: q["view_shift"] is not None, after=0)
        assert "view_moved" not in steady["image_quality"]["issues"]
        assert steady["image_quality"]["view_shift"] < 0.005

    # Someone left the PTZ camera panned: the same source, another view.
    write_street(clip, passers_by(lambda frame: moved(frame, dx=0.08)))
    with serving(clip, data) as (sup, viewer, application):
        assert view_of(sup) == first
        flagged = wait_for(sup, lambda q: "view_moved" in q["issues"], after=0)
        assert flagged["image_quality"]["view_shift"] == pytest.approx(0.08, rel=0.1)
        assert sup.get(f"/api/sites/{SITE}").json()["picture_since"] is not None
        metrics = sup.get("/metrics").text
        assert 'crowd_monitor_site_fault{kind="picture",site="wuyi-square"} 1.0' in metrics
        [shift_line] = [
            line
            for line in metrics.splitlines()
            if line.startswith('crowd_monitor_site_view_shift{site="wuyi-square"}')
        ]
        assert float(shift_line.split()[-1]) == pytest.approx(0.08, rel=0.1)

        path = f"/api/sites/{SITE}/view-reference"
        assert viewer.put(path).status_code == 403
        response = sup.put(path)
        assert response.status_code == 200, response.text
        taken = response.json()
        assert taken["taken_by"] == "sup-li"
        assert taken["taken_at"] > first["taken_at"]
        cleared = wait_for(
            sup,
            lambda q: q["view_shift"] is not None and q["view_shift"] < 0.005,
            after=time.time(),
        )
        assert "view_moved" not in cleared["image_quality"]["issues"]
        audit = application.audit
        assert audit is not None
        [entry] = audit.entries(AuditQuery(action="site.view.taken"))
        assert entry.target == SITE
        assert entry.actor == "sup-li"

        # A region saved on the live view holds the camera to that view.
        region = sup.put(f"/api/sites/{SITE}/region", json={"roi": REGION, "exclude": []})
        assert region.status_code == 200, region.text
        assert view_of(sup)["taken_at"] > taken["taken_at"]
