"""Site setup over the real API: a real app with its frame source, store and uvicorn
server, driven with httpx as a supervisor."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.application import Application, build_application
from monitor.audit.log import AuditQuery
from monitor.auth.roles import Role
from monitor.cli.main import main
from monitor.config.app import AppConfig
from monitor.config.loader import load_config
from monitor.config.settings import Settings
from monitor.measure.geo import to_lat_lon
from tests.support.auth import api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.clips import write_clip
from tests.support.config import minimal_site
from tests.support.server import RunningServer, running_server

SITE = "wuyi-square"
# scene(4) draws four people in a row, centred at x = 12, 36, 60 and 84 px.
LEFT = [[0, 0], [76, 0], [76, 120], [0, 120]]  # the first three
HOLE = [[0, 0], [44, 0], [44, 120], [0, 120]]  # the first two
LOCATION = (28.196, 112.9768)
# Looking straight down at 10 px per metre: a 16 m x 12 m patch of pavement.
IMAGE_CORNERS = [[0, 0], [160, 0], [160, 120], [0, 120]]
GROUND_CORNERS = [(0.0, 12.0), (16.0, 12.0), (16.0, 0.0), (0.0, 0.0)]
COUNT_LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 100, "exit": 90}],
}


def config(clip: Path) -> AppConfig:
    site = minimal_site(
        source=str(clip),
        analysis_fps=5,
        roi=[[0, 0], [160, 0], [160, 120], [0, 120]],
        thresholds=COUNT_LEVELS,
    )
    camera = minimal_site(
        id="pozi-street", source="rtsp://admin:hunter2@10.0.0.21:554/102", thresholds=COUNT_LEVELS
    )
    return AppConfig.model_validate({"sites": [site, camera]})


class Running:
    def __init__(self, application: Application, server: RunningServer) -> None:
        self.application = application
        self.server = server
        assert application.auth is not None
        self.supervisor = httpx.Client(
            base_url=server.base_url,
            headers=bearer(api_token(application.auth, "sup-li", Role.SUPERVISOR)),
            timeout=30,
        )
        self.viewer = httpx.Client(
            base_url=server.base_url,
            headers=bearer(api_token(application.auth, "viewer-wang", Role.VIEWER)),
            timeout=30,
        )

    def site(self) -> dict[str, Any]:
        response = self.supervisor.get(f"/api/sites/{SITE}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def latest_after(
        self, after: float, accept: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """The first reading analysed after `after` that `accept` takes, within 20 s."""
        deadline = time.monotonic() + 20
        latest: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            latest = self.site()["latest"]
            if latest is not None and latest["analysed_at"] > after and accept(latest):
                return latest
            time.sleep(0.1)
        raise AssertionError(f"no matching reading after {after}; last {latest}")


@contextmanager
def running(clip: Path, data_dir: Path) -> Iterator[Running]:
    settings = Settings(data_dir=data_dir, sample_cache=data_dir / "cache")
    application = build_application(config(clip), settings, estimator=BlobCountEstimator())
    app = application.start()
    try:
        with running_server(app) as server:
            run = Running(application, server)
            try:
                yield run
            finally:
                run.supervisor.close()
                run.viewer.close()
    finally:
        application.stop()


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_clip(tmp_path / "four.avi", [4] * 20)


@pytest.fixture
def live(clip: Path, tmp_path: Path) -> Iterator[Running]:
    with running(clip, tmp_path / "data") as run:
        yield run


@pytest.mark.slow
def test_region_change_changes_the_readings(live: Running) -> None:
    assert live.latest_after(0, lambda r: True)["count"] == pytest.approx(4.0)
    body = {"roi": LEFT, "exclude": [], "area_m2": 50}
    assert live.viewer.put(f"/api/sites/{SITE}/region", json=body).status_code == 403
    unknown = live.supervisor.put("/api/sites/nowhere/region", json=body)
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "no site 'nowhere'")
    response = live.supervisor.put(f"/api/sites/{SITE}/region", json=body)
    assert response.status_code == 200, response.text
    changed_at = time.time()  # a frame analysed while the request ran may predate it
    assert response.json()["roi"] == LEFT
    reading = live.latest_after(changed_at, lambda r: True)
    assert reading["count"] == pytest.approx(3.0)
    assert reading["mean_density"] == pytest.approx(3.0 / 50, abs=1e-3)

    body = {"roi": LEFT, "exclude": [HOLE]}
    assert live.supervisor.put(f"/api/sites/{SITE}/region", json=body).status_code == 200
    changed_at = time.time()
    assert live.latest_after(changed_at, lambda r: True)["count"] == pytest.approx(1.0)
    assert live.site()["setup"]["exclude"] == [HOLE]

    audit = live.application.audit
    assert audit is not None
    entries = audit.entries(AuditQuery(action="site.region.changed"))
    assert [(e.actor, e.target) for e in entries] == [("sup-li", SITE)] * 2
    history = live.supervisor.get(f"/api/sites/{SITE}/setup/history").json()
    assert [h["new"]["exclude"] for h in history] == [[HOLE], []]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "body", "status", "detail"),
    [
        pytest.param("region", {"roi": [[0, 0], [10, 10], [20, 20]]}, 422, "roi", id="flat-region"),
        pytest.param("region", {"roi": [[0, 0], [10, 10]]}, 422, "roi", id="two-points"),
        pytest.param("region", {"roi": LEFT, "exclude": [LEFT]}, 422, "no ground", id="all-cut"),
        pytest.param(
            "calibration",
            {
                "points": [
                    {"image": [0, 60], "ground": [0, 0]},
                    {"image": [160, 60], "ground": [10, 0]},
                    {"image": [110, 30], "ground": [10, 20]},
                    {"image": [50, 30], "ground": [0, 20]},
                ]
            },
            422,
            "above the calibrated horizon",
            id="region-above-horizon",
        ),
        pytest.param(
            "calibration",
            {
                "points": [
                    {"image": [0, 0], "ground": [0, 0]},
                    {"image": [50, 50], "ground": [1, 0]},
                    {"image": [100, 100], "ground": [2, 2]},
                    {"image": [0, 100], "ground": [0, 2]},
                ]
            },
            422,
            "on one line",
            id="degenerate-calibration",
        ),
        pytest.param("source", {"source": ""}, 422, "source", id="empty-source"),
        pytest.param(
            "picture-limits", {"detail_limit": -1}, 422, "detail_limit", id="negative-limit"
        ),
        pytest.param("picture-limits", {"nois_limit": 3}, 422, "nois_limit", id="unknown-limit"),
        pytest.param("motion", {"pressure_limit": 0}, 422, "pressure_limit", id="no-pressure"),
        pytest.param("motion", {"flow_width": 8}, 422, "flow_width", id="flow-too-narrow"),
        pytest.param("motion", {"presure_limit": 1}, 422, "presure_limit", id="unknown-motion"),
    ],
)
def test_bad_changes_are_refused_with_a_reason(
    live: Running, path: str, body: dict[str, Any], status: int, detail: str
) -> None:
    before = live.site()
    response = live.supervisor.put(f"/api/sites/{SITE}/{path}", json=body)
    assert response.status_code == status, response.text
    assert detail in str(response.json()["detail"])
    after = live.site()
    assert (after["roi"], after["setup"]) == (before["roi"], before["setup"])


@pytest.mark.slow
def test_motion_settings_apply_from_the_next_frame(live: Running) -> None:
    path = f"/api/sites/{SITE}/motion"
    assert live.latest_after(0, lambda r: r["motion"] is not None)["motion"] is not None
    off = {"enabled": False}
    assert live.viewer.put(path, json=off).status_code == 403
    response = live.supervisor.put(path, json=off)
    assert response.status_code == 200, response.text
    assert response.json()["setup"]["motion"] == {
        "enabled": False,
        "max_gap_s": 2.0,
        "window_s": 5.0,
        "flow_width": 320,
        "pressure_limit": 0.02,
        "pressure_min_density": 2.0,
        "steady_camera": True,
        "alert": True,
        "alert_hold_s": 10.0,
        "alert_clear_ratio": 0.75,
        "alert_cooldown_s": 300.0,
    }
    changed_at = time.time()
    # A second on (a frame may have been in analysis during the change): not measured.
    assert live.latest_after(changed_at + 1.0, lambda r: True)["motion"] is None

    strict = {"enabled": True, "pressure_limit": 0.005, "pressure_min_density": 0.5}
    response = live.supervisor.put(path, json=strict)
    assert response.status_code == 200, response.text
    assert response.json()["setup"]["motion"]["pressure_limit"] == 0.005
    changed_at = time.time()
    assert live.latest_after(changed_at, lambda r: r["motion"] is not None)["motion"] is not None

    audit = live.application.audit
    assert audit is not None
    entries = audit.entries(AuditQuery(action="site.motion.changed"))
    assert [e.target for e in entries] == [SITE] * 2
    history = live.supervisor.get(f"/api/sites/{SITE}/setup/history").json()
    assert [h["kind"] for h in history][:2] == ["motion", "motion"]
    assert history[0]["new"]["motion"]["pressure_limit"] == 0.005


@pytest.mark.slow
def test_picture_limits_change_the_verdict_from_the_next_frame(live: Running) -> None:
    # The clip's frames are black boards with white squares: by the default limits their
    # fine detail is lost and their squares sit on the coding grid.
    assert live.latest_after(0, lambda r: True)["image_quality"] is None  # off in the YAML
    path = f"/api/sites/{SITE}/picture-limits"
    defaults = {"enabled": True, "window_frames": 1}
    assert live.viewer.put(path, json=defaults).status_code == 403
    response = live.supervisor.put(path, json=defaults)
    assert response.status_code == 200, response.text
    assert response.json()["setup"]["picture_limits"] == {
        "enabled": True,
        "window_frames": 1,
        "noise": 4.5,
        "detail": 0.6,
        "blocking": 1.75,
        "spread": 4.0,
        "view_check": True,
        "view_shift": 0.03,
    }
    changed_at = time.time()
    reading = live.latest_after(changed_at, lambda r: r["image_quality"] is not None)
    assert reading["image_quality"]["issues"] == ["detail_loss", "blocking"]

    lenient = defaults | {"detail_limit": 0.1, "blocking_limit": 9.0}
    assert live.supervisor.put(path, json=lenient).status_code == 200
    changed_at = time.time()
    reading = live.latest_after(changed_at, lambda r: r["image_quality"] is not None)
    assert reading["image_quality"]["issues"] == []

    audit = live.application.audit
    assert audit is not None
    entries = audit.entries(AuditQuery(action="site.picture_limits.changed"))
    assert [e.target for e in entries] == [SITE] * 2
    history = live.supervisor.get(f"/api/sites/{SITE}/setup/history").json()
    assert [h["kind"] for h in history] == ["picture", "picture"]
    assert history[0]["new"]["image_quality"]["blocking_limit"] == 9.0


@pytest.mark.slow
def test_calibrate_from_map_points(live: Running) -> None:
    points = [
        {"image": image, "lat_lon": list(to_lat_lon(ground, LOCATION))}
        for image, ground in zip(IMAGE_CORNERS, GROUND_CORNERS, strict=True)
    ]
    live.latest_after(0, lambda r: True)
    fit = live.supervisor.post(f"/api/sites/{SITE}/calibration/fit", json={"points": points})
    assert fit.status_code == 200, fit.text
    result = fit.json()
    assert result["fit_error_m"] == pytest.approx(0.0, abs=0.01)
    assert result["region_area_m2"] == pytest.approx(192.0, rel=0.01)
    assert len(result["grid"]) == 17 + 13  # 1 m lines across 16 m and 12 m
    assert not live.site()["setup"]["calibrated"]  # a fit is a dry run

    applied = live.supervisor.put(f"/api/sites/{SITE}/calibration", json={"points": points})
    assert applied.status_code == 200, applied.text
    changed_at = time.time()
    setup = applied.json()["setup"]
    assert setup["calibrated"]
    assert len(setup["field_of_view"]) == 4
    lat, lon = setup["field_of_view"][0]
    assert abs(lat - LOCATION[0]) < 0.001
    assert abs(lon - LOCATION[1]) < 0.001
    reading = live.latest_after(changed_at, lambda r: True)
    assert reading["mean_density"] == pytest.approx(4.0 / 192.0, abs=1e-3)

    removed = live.supervisor.delete(f"/api/sites/{SITE}/calibration")
    assert removed.status_code == 200, removed.text
    assert removed.json()["setup"]["calibrated"] is False
    assert removed.json()["setup"]["area_m2"] == 100


@pytest.mark.slow
def test_threshold_preview_replays_the_last_hour(live: Running) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        stored = live.supervisor.get(f"/api/sites/{SITE}/readings").json()
        if len(stored) >= 3:
            break
        time.sleep(0.2)
    proposed = COUNT_LEVELS | {
        "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2}]
    }
    response = live.supervisor.post(
        f"/api/sites/{SITE}/thresholds/preview", json={"thresholds": proposed}
    )
    assert response.status_code == 200, response.text
    preview = response.json()
    assert len(preview["values"]) >= 3
    assert {value for _, value in preview["values"]} == {4.0}
    assert preview["proposed"]["raised"] == 1
    assert preview["proposed"]["final_level"] == "elevated"
    assert preview["current"]["raised"] == 0
    bad = COUNT_LEVELS | {
        "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 4}]
    }
    refused = live.supervisor.post(
        f"/api/sites/{SITE}/thresholds/preview", json={"thresholds": bad}
    )
    assert refused.status_code == 422
    assert "exit 4 is not below enter 3" in refused.text
    viewer = live.viewer.post(
        f"/api/sites/{SITE}/thresholds/preview", json={"thresholds": proposed}
    )
    assert viewer.status_code == 403


@pytest.mark.slow
def test_changes_persist_across_a_restart_and_export_as_yaml(clip: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    schedule = {
        "name": "holiday-evening",
        "days": ["fri", "sat"],
        "start": "18:00",
        "end": "24:00",
        "levels": [{"name": "elevated", "color": "#f5c542", "enter": 50, "exit": 40}],
    }
    thresholds = COUNT_LEVELS | {"schedules": [schedule]}
    points = [
        {"image": image, "ground": list(ground)}
        for image, ground in zip(IMAGE_CORNERS, GROUND_CORNERS, strict=True)
    ]
    with running(clip, data) as first:
        http = first.supervisor
        assert http.put(
            f"/api/sites/{SITE}/region", json={"roi": LEFT, "exclude": [HOLE]}
        ).is_success
        assert http.put(f"/api/sites/{SITE}/calibration", json={"points": points}).is_success
        assert http.put(f"/api/sites/{SITE}/thresholds", json=thresholds).is_success
        source = {"source": str(clip), "start_offset_s": 0.5}
        assert http.put(f"/api/sites/{SITE}/source", json=source).is_success
        grainy_camera = {"enabled": True, "noise_limit": 7.5}
        assert http.put(f"/api/sites/{SITE}/picture-limits", json=grainy_camera).is_success
        assert http.put(f"/api/sites/{SITE}/motion", json={"pressure_limit": 0.05}).is_success
    with running(clip, data) as second:
        site = second.site()
        assert site["roi"] == LEFT
        assert site["setup"]["exclude"] == [HOLE]
        assert site["setup"]["calibrated"] is True
        assert site["thresholds"]["schedules"][0]["name"] == "holiday-evening"
        assert site["setup"]["picture_limits"]["noise"] == 7.5
        assert site["setup"]["motion"]["pressure_limit"] == 0.05
        reading = second.latest_after(0, lambda r: True)
        assert reading["count"] == pytest.approx(1.0)
        assert reading["mean_density"] == pytest.approx(1.0 / (3.2 * 12), rel=0.05)

        exported = second.supervisor.get("/api/config.yaml")
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"].startswith("application/yaml")
        assert "hunter2" not in exported.text
        assert second.viewer.get("/api/config.yaml").status_code == 403
        assert second.supervisor.get("/api/config.yaml?include_secrets=true").status_code == 403
        assert second.application.auth is not None
        admin = bearer(api_token(second.application.auth, "admin-zhou", Role.ADMIN))
        with_secrets = second.supervisor.get("/api/config.yaml?include_secrets=true", headers=admin)
        assert with_secrets.status_code == 200, with_secrets.text
        assert "rtsp://admin:hunter2@10.0.0.21:554/102" in with_secrets.text
    path = tmp_path / "exported.yaml"
    path.write_text(exported.text, encoding="utf-8")
    assert main(["check-config", str(path)]) == 0
    loaded = load_config(path)
    site_config = loaded.site(SITE)
    assert site_config.roi == [tuple(p) for p in LEFT]
    assert site_config.exclude == [[tuple(p) for p in HOLE]]
    assert site_config.ground.calibration is not None
    assert site_config.start_offset_s == 0.5
    assert site_config.image_quality.noise_limit == 7.5
    assert site_config.thresholds.model_dump(mode="json") == {
        **COUNT_LEVELS,
        "levels": [{**COUNT_LEVELS["levels"][0]}],
        "schedules": [{**schedule, "min_duration_s": None, "cooldown_s": None}],
    }
    assert loaded.site("pozi-street").source == "rtsp://***@10.0.0.21:554/102"
