"""Alerts: their history from the store, and the response to them by operators.

raised → acknowledged → dispatched (a response platform) → arrived → resolved (outcome);
see `monitor.alerts.lifecycle`. Every step is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from monitor.alerts.lifecycle import AlertError
from monitor.alerts.model import AlertState
from monitor.api.deps import MonitorDep, StoreDep
from monitor.api.mappers import alert_event_public, alert_public
from monitor.api.routing import DocRoute
from monitor.api.schemas import (
    AcknowledgeRequest,
    AlertDetailPublic,
    AlertStateFilter,
    ArriveRequest,
    DispatchRequest,
    ResolveRequest,
)
from monitor.auth.deps import AuditDep, OperatorUser, Role, require_role
from monitor.bus.messages import AlertPayload, AlertPublic
from monitor.pipeline.service import UnknownAlert, UnknownPlatform

router = APIRouter(
    prefix="/api/alerts",
    tags=["alerts"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.VIEWER))],
)

_ACTIVE = tuple(s for s in AlertState if s is not AlertState.RESOLVED)

AlertId = Annotated[str, Path(max_length=64, description="The alert's id.")]

_STEP_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such alert"},
    409: {"description": "The step does not apply to the alert as it stands"},
}


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
def get_alert(alert_id: AlertId, store: StoreDep) -> AlertDetailPublic:
    """One alert with its lifecycle events."""
    alert = store.alert(alert_id)
    if alert is None:
        raise HTTPException(404, f"no alert '{alert_id}'")
    events = [alert_event_public(e) for e in store.alert_events(alert_id)]
    return AlertDetailPublic(alert=alert_public(alert), events=events)


@router.post("/{alert_id}/ack", response_model=AlertPayload, responses=_STEP_RESPONSES)
def acknowledge_alert(
    alert_id: AlertId,
    body: AcknowledgeRequest,
    monitor: MonitorDep,
    user: OperatorUser,
    audit: AuditDep,
) -> AlertPayload:
    """Acknowledges an open alert: an operator has seen it and is acting (operator)."""
    return _step(
        lambda: monitor.acknowledge(alert_id, by=user.name, note=body.note),
        audit,
        {"note": body.note},
    )


@router.post("/{alert_id}/dispatch", response_model=AlertPayload, responses=_STEP_RESPONSES)
def dispatch_alert(
    alert_id: AlertId,
    body: DispatchRequest,
    monitor: MonitorDep,
    user: OperatorUser,
    audit: AuditDep,
) -> AlertPayload:
    """Sends a response platform to an acknowledged alert; again to change platform (operator)."""
    return _step(
        lambda: monitor.dispatch(alert_id, body.platform_id, by=user.name, note=body.note),
        audit,
        {"platform_id": body.platform_id, "note": body.note},
    )


@router.post("/{alert_id}/arrive", response_model=AlertPayload, responses=_STEP_RESPONSES)
def arrive_alert(
    alert_id: AlertId,
    body: ArriveRequest,
    monitor: MonitorDep,
    user: OperatorUser,
    audit: AuditDep,
) -> AlertPayload:
    """Confirms the dispatched officers are on site (operator)."""
    return _step(
        lambda: monitor.arrive(alert_id, by=user.name, note=body.note), audit, {"note": body.note}
    )


@router.post("/{alert_id}/resolve", response_model=AlertPayload, responses=_STEP_RESPONSES)
def resolve_alert(
    alert_id: AlertId,
    body: ResolveRequest,
    monitor: MonitorDep,
    user: OperatorUser,
    audit: AuditDep,
) -> AlertPayload:
    """Closes an acknowledged alert whose crowd has cleared, with its outcome (operator)."""
    return _step(
        lambda: monitor.resolve(alert_id, by=user.name, outcome=body.outcome),
        audit,
        {"outcome": body.outcome},
    )


def _step(
    action: Callable[[], AlertPayload], audit: AuditDep, detail: dict[str, Any]
) -> AlertPayload:
    try:
        payload = action()
    except (UnknownAlert, UnknownPlatform) as exc:
        raise HTTPException(404, exc.args[0] if exc.args else str(exc)) from None
    except AlertError as exc:
        raise HTTPException(409, str(exc)) from None
    event = payload.event
    audit.record(f"alert.{event.kind}", event.alert_id, {"site_id": event.site_id, **detail})
    return payload
