"""Police response platforms that alerts are dispatched to."""

from __future__ import annotations

from fastapi import APIRouter

from monitor.api.deps import MonitorDep
from monitor.api.routing import DocRoute
from monitor.auth.deps import ViewerUser
from monitor.bus.messages import PlatformPublic

router = APIRouter(prefix="/api/platforms", tags=["alerts"], route_class=DocRoute)


@router.get("", response_model=list[PlatformPublic])
def list_platforms(monitor: MonitorDep, _user: ViewerUser) -> list[PlatformPublic]:
    """Every response platform with its arrival tier and location."""
    return monitor.platforms()
