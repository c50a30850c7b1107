from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute

from monitor.api.app import create_app
from monitor.api.routers import (
    alerts,
    audit,
    auth,
    camera_health,
    config_export,
    count_check,
    exports,
    faults,
    meta,
    metrics,
    notifications,
    platforms,
    recordings,
    reports,
    site_setup,
    sites,
    users,
)
from monitor.api.services import Services
from monitor.bus.bus import InMemoryBus
from monitor.config.app import MapConfig
from tests.support.api_harness import Api, ApiFactory
from tests.support.fake_monitor import FakeMonitor

EXPECTED_OPERATIONS = {
    # recording and replay
    ("get", "/api/sites/{site_id}/recordings"),
    ("get", "/api/recordings/{recording_id}/video"),
    ("get", "/api/sites/{site_id}/frame.jpg"),
    ("get", "/api/sites/{site_id}/alerts"),
    ("get", "/api/pins"),
    ("post", "/api/pins"),
    ("delete", "/api/pins/{pin_id}"),
    ("post", "/api/exports"),
    ("post", "/api/whatif"),
    ("get", "/healthz"),
    ("get", "/api/config"),
    ("get", "/api/sites"),
    ("get", "/api/sites/{site_id}"),
    ("get", "/api/sites/{site_id}/readings"),
    ("get", "/api/camera-health"),
    ("get", "/api/sites/{site_id}/snapshot.jpg"),
    ("put", "/api/sites/{site_id}/thresholds"),
    ("get", "/api/sites/{site_id}/thresholds/history"),
    ("get", "/api/alerts"),
    ("get", "/api/alerts/{alert_id}"),
    ("post", "/api/alerts/{alert_id}/ack"),
    ("post", "/api/alerts/{alert_id}/dispatch"),
    ("post", "/api/alerts/{alert_id}/arrive"),
    ("post", "/api/alerts/{alert_id}/resolve"),
    ("get", "/api/platforms"),
    ("post", "/api/auth/login"),
    ("post", "/api/auth/logout"),
    ("get", "/api/auth/me"),
    ("get", "/api/users"),
    ("post", "/api/users"),
    ("patch", "/api/users/{name}"),
    ("post", "/api/users/{name}/token"),
    ("get", "/api/audit"),
    ("get", "/api/audit.csv"),
    ("put", "/api/sites/{site_id}/region"),
    ("post", "/api/sites/{site_id}/calibration/fit"),
    ("put", "/api/sites/{site_id}/calibration"),
    ("delete", "/api/sites/{site_id}/calibration"),
    ("put", "/api/sites/{site_id}/source"),
    ("put", "/api/sites/{site_id}/picture-limits"),
    ("put", "/api/sites/{site_id}/motion"),
    ("get", "/api/sites/{site_id}/view-reference"),
    ("get", "/api/sites/{site_id}/view-reference.jpg"),
    ("put", "/api/sites/{site_id}/view-reference"),
    ("get", "/api/sites/{site_id}/setup/history"),
    ("get", "/api/sites/{site_id}/status-history"),
    ("get", "/api/sites/{site_id}/outages"),
    ("get", "/api/camera-health/outages.csv"),
    ("post", "/api/sites/{site_id}/thresholds/preview"),
    ("post", "/api/sites/{site_id}/motion/preview"),
    ("get", "/api/config.yaml"),
    ("get", "/api/notifications/webhooks"),
    ("get", "/api/notifications/deliveries"),
    ("get", "/api/notifications/deliveries/{delivery_id}"),
    ("post", "/api/notifications/deliveries/{delivery_id}/retry"),
    ("post", "/api/notifications/webhooks/{name}/test"),
    ("get", "/api/reports/response"),
    ("get", "/api/reports/response/alerts.csv"),
    ("post", "/api/sites/{site_id}/fault-ack"),
    ("get", "/api/fault-acks"),
    ("post", "/api/sites/{site_id}/recordings/cut"),
    ("get", "/api/sites/{site_id}/count-samples"),
    ("post", "/api/sites/{site_id}/count-samples"),
    ("get", "/api/count-samples/{sample_id}/image.jpg"),
    ("put", "/api/count-samples/{sample_id}/heads"),
    ("delete", "/api/count-samples/{sample_id}"),
    ("post", "/api/sites/{site_id}/count-scale/fit"),
    ("put", "/api/sites/{site_id}/count-scale"),
    ("get", "/api/sites/{site_id}/count-scale"),
    ("get", "/metrics"),
}


def test_openapi_lists_every_route_with_its_docstring_as_summary(api: Api) -> None:
    document = api.http.get("/openapi.json").raise_for_status().json()

    assert document["info"]["title"] == "crowd-monitor"
    assert document["info"]["version"]
    operations = {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) == EXPECTED_OPERATIONS
    for key, operation in operations.items():
        assert operation["summary"].endswith("."), key
        assert any(code.startswith("2") for code in operation["responses"]), key
        assert operation["operationId"], key


def test_every_route_has_a_one_line_docstring_and_a_response_model() -> None:
    routers = (
        meta.router,
        sites.router,
        alerts.router,
        platforms.router,
        auth.router,
        users.router,
        audit.router,
        site_setup.router,
        camera_health.router,
        config_export.router,
        recordings.router,
        exports.router,
        notifications.router,
        reports.router,
        faults.router,
        count_check.router,
        metrics.router,
    )
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) == len(EXPECTED_OPERATIONS)
    for route in routes:
        doc = route.endpoint.__doc__ or ""
        assert doc, route.path
        assert "\n" not in doc.strip(), route.path
        text = route.path.endswith((".jpg", ".csv", ".yaml")) or route.path == "/metrics"
        no_body = text or route.status_code == 204
        # Files (videos, export packs) are streamed, not modelled.
        no_body = no_body or route.response_class is FileResponse
        assert route.response_model is not None or no_body, route.path


def test_page_is_served_after_the_api(make_api: ApiFactory, tmp_path: Path) -> None:
    web = _web_dir(tmp_path, vendor=True)
    api = make_api(web_dir=web)

    page = api.http.get("/")
    assert page.status_code == 200
    assert "crowd-monitor page" in page.text
    assert api.http.get("/app.js").text == "console.log('app');"
    assert api.http.get("/vendor/leaflet/leaflet.js").text == "leaflet"
    assert api.http.get("/vendor/uplot/uPlot.iife.min.js").text == "uplot"
    # The API is not shadowed by the page mounted at "/".
    assert api.http.get("/healthz").json() == {"status": "ok"}
    assert api.http.get("/api/sites").status_code == 200
    missing = api.http.get("/no-such-file.js")
    assert missing.status_code == 404
    assert missing.json()["detail"]


def test_vendor_folders_are_mounted_only_when_installed(
    make_api: ApiFactory, tmp_path: Path
) -> None:
    api = make_api(web_dir=_web_dir(tmp_path, vendor=False))

    assert api.http.get("/").status_code == 200
    assert api.http.get("/vendor/leaflet/leaflet.js").status_code == 404


def test_no_page_without_web_dir(api: Api) -> None:
    response = api.http.get("/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_real_web_folder_is_servable(make_api: ApiFactory) -> None:
    web = Path(__file__).resolve().parents[2] / "web"
    if not (web / "index.html").is_file():
        pytest.skip("the web page is not built in this checkout")
    api = make_api(web_dir=web)

    assert api.http.get("/").status_code == 200
    if (web / "node_modules/leaflet/dist").is_dir():
        assert api.http.get("/vendor/leaflet/leaflet.js").status_code == 200


def test_create_app_does_no_work_until_asked(tmp_path: Path) -> None:
    services = _services(tmp_path, web_dir=None)
    first, second = create_app(services), create_app(services)
    assert first is not second
    assert first.state.services is services


def _services(tmp_path: Path, web_dir: Path | None) -> Services:
    bus = InMemoryBus(first_id=1)
    # Any: the one trap stands in for the store, the auth service and the audit log.
    store: Any = _NoStore()
    return Services(
        monitor=FakeMonitor(bus, store),
        store=store,
        bus=bus,
        map=MapConfig(),
        web_dir=web_dir,
        auth=store,
        audit=store,
    )


class _NoStore:
    """Building the app must not touch the store."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the store was used: {name}")


def _web_dir(tmp_path: Path, vendor: bool) -> Path:
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text("<!doctype html><title>crowd-monitor page</title>")
    (web / "app.js").write_text("console.log('app');")
    if vendor:
        leaflet = web / "node_modules/leaflet/dist"
        uplot = web / "node_modules/uplot/dist"
        leaflet.mkdir(parents=True)
        uplot.mkdir(parents=True)
        (leaflet / "leaflet.js").write_text("leaflet")
        (uplot / "uPlot.iife.min.js").write_text("uplot")
    return web
