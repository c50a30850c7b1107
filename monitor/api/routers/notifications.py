"""Webhooks told of alerts and camera outages: their health, their delivery log, a test
message and a retry. Supervisors and admins only; tests and retries are audited."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from monitor.api.deps import MAX_ROW_ID, ServicesDep
from monitor.api.notify_schemas import DeliveryPublic, DeliveryStateFilter, WebhookPublic
from monitor.api.routing import DocRoute
from monitor.auth.deps import AuditDep, Role, SupervisorUser, require_role
from monitor.notify.outbox import Delivery, DeliveryState, NotDeliverable
from monitor.notify.service import NotificationService

router = APIRouter(
    prefix="/api/notifications",
    tags=["notifications"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.SUPERVISOR))],
)


def get_notifications(services: ServicesDep) -> NotificationService:
    if services.notifications is None:
        raise HTTPException(503, "notifications are not available in this server")
    return services.notifications


NotificationsDep = Annotated[NotificationService, Depends(get_notifications)]
WebhookName = Annotated[str, Path(max_length=64, description="The webhook's name in the config.")]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="The delivery's id in the log.")]

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such delivery"}}


def _public(delivery: Delivery) -> DeliveryPublic:
    return DeliveryPublic(
        id=delivery.id,
        webhook=delivery.webhook,
        event_id=delivery.key,
        kind=delivery.kind,
        site_id=delivery.site_id,
        at=delivery.at,
        queued_at=delivery.queued_at,
        state=DeliveryStateFilter(delivery.state.value),
        attempts=delivery.attempts,
        last_attempt_at=delivery.last_attempt_at,
        delivered_at=delivery.delivered_at,
        status_code=delivery.status_code,
        error=delivery.error,
        body=json.loads(delivery.body),
    )


@router.get("/webhooks", response_model=list[WebhookPublic])
def list_webhooks(notifications: NotificationsDep) -> list[WebhookPublic]:
    """Every configured webhook, with its queue and health."""
    tallies = notifications.outbox.tallies()
    webhooks = []
    for endpoint in notifications.endpoints():
        tally = tallies.get(endpoint.name)
        webhooks.append(
            WebhookPublic(
                name=endpoint.name,
                url=endpoint.url,
                format=endpoint.format,
                events=endpoint.events,
                levels=endpoint.levels,
                sites=endpoint.sites,
                signed=endpoint.signed,
                pending=tally.pending if tally else 0,
                failed=tally.failed if tally else 0,
                delivered=tally.delivered if tally else 0,
                last_delivered_at=tally.last_delivered_at if tally else None,
                failures_in_row=endpoint.failures_in_row,
                paused_until=endpoint.paused_until,
                last_error=endpoint.last_error,
            )
        )
    return webhooks


@router.get("/deliveries", response_model=list[DeliveryPublic])
def list_deliveries(
    notifications: NotificationsDep,
    webhook: Annotated[str | None, Query(max_length=64)] = None,
    state: DeliveryStateFilter | None = None,
    site_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeliveryPublic]:
    """The delivery log, newest first."""
    found = notifications.outbox.deliveries(
        webhook, DeliveryState(state.value) if state else None, site_id, limit
    )
    return [_public(d) for d in found]


@router.get("/deliveries/{delivery_id}", response_model=DeliveryPublic, responses=_NOT_FOUND)
def get_delivery(delivery_id: DeliveryId, notifications: NotificationsDep) -> DeliveryPublic:
    """One delivery with what was sent and how the receiver last answered."""
    delivery = notifications.outbox.delivery(delivery_id)
    if delivery is None:
        raise HTTPException(404, f"no delivery {delivery_id}")
    return _public(delivery)


@router.post(
    "/deliveries/{delivery_id}/retry",
    response_model=DeliveryPublic,
    responses={**_NOT_FOUND, 409: {"description": "The delivery is not failed"}},
)
def retry_delivery(
    delivery_id: DeliveryId, notifications: NotificationsDep, audit: AuditDep
) -> DeliveryPublic:
    """Queues a failed delivery again, e.g. once its receiver is fixed."""
    try:
        delivery = notifications.retry(delivery_id)
    except KeyError:
        raise HTTPException(404, f"no delivery {delivery_id}") from None
    except NotDeliverable as error:
        raise HTTPException(409, str(error)) from None
    audit.record("notification.retried", delivery.webhook, {"delivery": delivery_id})
    return _public(delivery)


@router.post(
    "/webhooks/{name}/test",
    response_model=DeliveryPublic,
    responses={404: {"description": "No such webhook"}},
)
def send_test(
    name: WebhookName, notifications: NotificationsDep, user: SupervisorUser, audit: AuditDep
) -> DeliveryPublic:
    """Sends a test message now and answers how it went (`state`, `status_code`, `error`)."""
    if not notifications.has_endpoint(name):
        raise HTTPException(404, f"no webhook '{name}'")
    delivery = notifications.send_test(name, user.name)
    audit.record(
        "notification.tested", name, {"state": delivery.state.value, "status": delivery.status_code}
    )
    return _public(delivery)
