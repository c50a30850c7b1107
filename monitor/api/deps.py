"""Dependencies: the services of the app serving the request, the site, the actor.

Who may call what: `monitor.auth.deps` (CurrentUser, require_role, AuditDep).
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Path
from starlette.requests import HTTPConnection

from monitor.api.services import Services
from monitor.auth.deps import CurrentUser
from monitor.bus.bus import InMemoryBus
from monitor.bus.messages import SitePublic
from monitor.pipeline.service import MonitorService, UnknownSite
from monitor.store.base import Store


def get_services(connection: HTTPConnection) -> Services:
    # HTTPConnection rather than Request: the websocket route shares these dependencies.
    return cast(Services, connection.app.state.services)


ServicesDep = Annotated[Services, Depends(get_services)]


def get_monitor(services: ServicesDep) -> MonitorService:
    return services.monitor


def get_store(services: ServicesDep) -> Store:
    return services.store


def get_bus(services: ServicesDep) -> InMemoryBus:
    return services.bus


MonitorDep = Annotated[MonitorService, Depends(get_monitor)]
StoreDep = Annotated[Store, Depends(get_store)]
BusDep = Annotated[InMemoryBus, Depends(get_bus)]

SiteId = Annotated[str, Path(description="The site's id, as in the config.", max_length=64)]


def get_site(site_id: SiteId, monitor: MonitorDep) -> SitePublic:
    try:
        return monitor.site(site_id)
    except UnknownSite:
        raise HTTPException(404, f"no site '{site_id}'") from None


# The largest row id SQLite and PostgreSQL's BIGINT hold: a larger one in a path is a 422,
# not an overflow in the driver.
MAX_ROW_ID = 2**63 - 1

# Routes under /api/sites/{site_id} take the site first, so the store is never asked
# about a site the monitor does not know (it would answer an empty list, not a 404).
SiteDep = Annotated[SitePublic, Depends(get_site)]


def get_actor(user: CurrentUser) -> str:
    # Who acts is the logged-in user; `by` fields and the audit log carry their name.
    return user.name


ActorDep = Annotated[str, Depends(get_actor)]
