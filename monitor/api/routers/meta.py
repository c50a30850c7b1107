"""The service itself: liveness and what the page needs to start."""

from __future__ import annotations

from fastapi import APIRouter

from monitor.api.deps import ServicesDep
from monitor.api.routing import DocRoute
from monitor.api.schemas import HealthPublic
from monitor.auth.deps import ViewerUser
from monitor.config.app import MapConfig

router = APIRouter(tags=["meta"], route_class=DocRoute)


@router.get("/healthz", response_model=HealthPublic)
def healthz() -> HealthPublic:
    """Answers while the server runs."""
    return HealthPublic()


@router.get("/api/config", response_model=MapConfig)
def page_config(services: ServicesDep, _user: ViewerUser) -> MapConfig:
    """The live map's initial centre, zoom and tiles."""
    return services.map
