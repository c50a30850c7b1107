"""The FastAPI application, built from its services by `create_app`."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from monitor.api.metrics import monitor_registry
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
    ws,
)
from monitor.api.server_time import ServerTimeMiddleware
from monitor.api.services import Services
from monitor.api.stream import StreamLimits

DESCRIPTION = """\
Crowd-safety monitoring: live crowd density per site, threshold alerts and their
acknowledgement.

Live events arrive over the websocket `/ws?last_event_id=N`: one `snapshot` envelope,
then the events after `N` (or a snapshot with `resync: true` when they are no longer
buffered), then events as they happen. Each message is an `Envelope`. A client too slow
to keep up is closed with code 1013 and resumes with the id of the last event it got.
"""

# Served from the web page's own npm packages, so the page needs no CDN.
VENDOR_PACKAGES = {"leaflet": "node_modules/leaflet/dist", "uplot": "node_modules/uplot/dist"}


def create_app(services: Services, *, stream: StreamLimits | None = None) -> FastAPI:
    app = FastAPI(
        title="crowd-monitor",
        description=DESCRIPTION,
        version=_package_version(),
        generate_unique_id_function=_operation_id,
    )
    app.state.services = services
    app.state.stream_limits = stream or StreamLimits()
    app.state.metrics = monitor_registry(services)
    for router in (
        meta.router,
        metrics.router,
        auth.router,
        sites.router,
        site_setup.router,
        count_check.router,
        camera_health.router,
        config_export.router,
        alerts.router,
        notifications.router,
        reports.router,
        faults.router,
        platforms.router,
        users.router,
        audit.router,
        recordings.router,
        exports.router,
        ws.router,
    ):
        app.include_router(router)
    if services.web_dir is not None:
        _mount_page(app, services.web_dir)
    app.add_middleware(ServerTimeMiddleware)
    return app


def _mount_page(app: FastAPI, web_dir: Path) -> None:
    # Mounted after the API: a mount at "/" would otherwise shadow every route.
    for name, sub in VENDOR_PACKAGES.items():
        if (web_dir / sub).is_dir():
            files = StaticFiles(directory=web_dir / sub)
            app.mount(f"/vendor/{name}", files, name=f"vendor-{name}")
    app.mount("/", StaticFiles(directory=web_dir, html=True), name="web")


def _operation_id(route: APIRoute) -> str:
    return route.name


def _package_version() -> str:
    try:
        return version("crowd-monitor")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
