"""Alerts: their history from the store, and acknowledgement by an operator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from monitor.alerts.engine import AlertError
from monitor.alerts.model import AlertState
from monitor.api.deps import ActorDep, MonitorDep, StoreDep
from monitor.api.mappers import alert_event_public, alert_public
from monitor.api.routing import DocRoute
from monitor.api.schemas import AcknowledgeRequest, AlertDetailPublic, AlertStateFilter
from monitor.bus.messages import AlertPayload, AlertPublic
from monitor.pipeline.service import UnknownAlert

router = APIRouter(prefix="/api/alerts", tags=["alerts"], route_class=DocRoute)

_ACTIVE = (AlertState.OPEN, AlertState.ACKNOWLEDGED)


@router.get("", response_model=list[AlertPublic])
def list_alerts(
    store: StoreDep,
    state: AlertStateFilter | None = None,
    site_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AlertPublic]:
    """Alerts, newest first, by state and site."""
    # An unknown site_id filters to nothing rather than 404: retired sites keep a history.
    if state is AlertStateFilter.ACTIVE:
        found = [a for s in _ACTIVE for a in store.alerts(s.value, site_id, limit)]
        found.sort(key=lambda a: a.raised_at, reverse=True)
        alerts = found[:limit]
    else:
        alerts = store.alerts(state.value if state else None, site_id, limit)
    return [alert_public(a) for a in alerts]


@router.get("/{alert_id}", response_model=AlertDetailPublic)
def get_alert(alert_id: str, store: StoreDep) -> AlertDetailPublic:
    """One alert with its lifecycle events."""
    alert = store.alert(alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert '{alert_id}'")
    events = [alert_event_public(e) for e in store.alert_events(alert_id)]
    return AlertDetailPublic(alert=alert_public(alert), events=events)


@router.post(
    "/{alert_id}/ack",
    response_model=AlertPayload,
    responses={404: {"description": "No open alert"}, 409: {"description": "Already acknowledged"}},
)
def acknowledge_alert(
    alert_id: str, body: AcknowledgeRequest, monitor: MonitorDep, actor: ActorDep
) -> AlertPayload:
    """Acknowledges an open alert: an operator has seen it and is acting."""
    try:
        return monitor.acknowledge(alert_id, by=actor, note=body.note)
    except UnknownAlert:
        raise HTTPException(404, f"no open alert '{alert_id}'") from None
    except AlertError as exc:
        raise HTTPException(409, str(exc)) from None
