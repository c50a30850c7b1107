"""Camera faults taken in hand: an operator acknowledges a site's current fault, with a note
(a repair ticket) and, if one is booked, when the camera is expected back; every page shows it
as handled until the camera recovers or that time passes."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from monitor.api.deps import BusDep, ServicesDep, SiteDep
from monitor.api.routing import DocRoute
from monitor.auth.deps import AuditDep, OperatorUser, Role, require_role
from monitor.bus.convert import fault_ack_public
from monitor.bus.messages import FaultAckPayload, FaultAckPublic, FaultKind, MessageType
from monitor.faults.camera import CameraFault, camera_fault, is_episode
from monitor.store.fault_acks import FaultAck, FaultAcks

# A promise further out than a quarter is not a repair date anyone will keep to.
MAX_EXPECTED_BACK_DAYS = 90

router = APIRouter(tags=["sites"], route_class=DocRoute)


class FaultAckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: FaultKind = Field(description="The fault as the live page shows it.")
    since: float = Field(allow_inf_nan=False, description="When it began (the page's value).")
    note: str = Field(default="", max_length=500, description="What is being done about it.")
    expected_back: float | None = Field(
        default=None,
        allow_inf_nan=False,
        description="When the camera is promised back (epoch seconds, in the next "
        f"{MAX_EXPECTED_BACK_DAYS} days): the acknowledgement lapses then, so a repair that "
        "slips is noticed. Omitted: in force until the camera recovers.",
    )


def get_fault_acks(services: ServicesDep) -> FaultAcks:
    if services.fault_acks is None:
        raise HTTPException(503, "fault acknowledgements are not available in this server")
    return services.fault_acks


FaultAcksDep = Annotated[FaultAcks, Depends(get_fault_acks)]


def latest_fault_acks(acks: FaultAcks | None) -> list[FaultAckPublic]:
    """For the live feed's snapshot: none where acknowledgements are not available."""
    return [] if acks is None else [fault_ack_public(ack) for ack in acks.latest()]


@router.post(
    "/api/sites/{site_id}/fault-ack",
    response_model=FaultAckPublic,
    responses={
        404: {"description": "No such site"},
        409: {"description": "The site does not have that fault now"},
    },
)
def acknowledge_fault(
    site: SiteDep,
    body: FaultAckRequest,
    acks: FaultAcksDep,
    bus: BusDep,
    user: OperatorUser,
    audit: AuditDep,
) -> FaultAckPublic:
    """Marks the site's current camera fault as in hand, for every page, with a note."""
    now = time.time()
    back = body.expected_back
    if back is not None and not now < back <= now + MAX_EXPECTED_BACK_DAYS * 86_400:
        raise HTTPException(
            422,
            f"expected_back ({back:g}) must be after now ({now:.0f}) and within "
            f"{MAX_EXPECTED_BACK_DAYS} days",
        )
    fault = camera_fault(site, now)
    if fault is None or not is_episode(fault, body.kind, body.since):
        raise HTTPException(409, _not_that_fault(site.name_en, body, fault))
    ack = FaultAck(site.id, body.kind, body.since, now, user.name, body.note, back)
    acks.record(ack)
    audit.record(
        "camera_fault.acknowledged",
        site.id,
        {"kind": body.kind, "since": body.since, "note": body.note, "expected_back": back},
    )
    public = fault_ack_public(ack)
    bus.publish(MessageType.FAULT_ACK, site.id, FaultAckPayload(ack=public))
    return public


def _not_that_fault(name: str, body: FaultAckRequest, fault: CameraFault | None) -> str:
    """Why an acknowledgement names no fault of the site's: it ended (a page that had not
    caught up), or another one is there now."""
    asked = f"{name} has no {body.kind} fault since {body.since:.3f} now"
    if fault is None:
        return f"{asked}: its camera is fine again"
    since = "" if fault.since is None else f" since {fault.since:.3f}"
    return f"{asked}: its fault now is {fault.kind}{since}"


@router.get(
    "/api/fault-acks",
    response_model=list[FaultAckPublic],
    dependencies=[Depends(require_role(Role.VIEWER))],
)
def list_fault_acks(acks: FaultAcksDep) -> list[FaultAckPublic]:
    """The latest acknowledgement of each site's camera fault."""
    return [fault_ack_public(ack) for ack in acks.latest()]
