"""The audit log, for admins: filter it, or take it away as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from monitor.api.auth_schemas import AuditEntryPublic
from monitor.api.routing import DocRoute
from monitor.audit.csv_export import audit_csv
from monitor.audit.log import AuditLog, AuditQuery
from monitor.auth.deps import AuditDep, get_audit_log, require_role
from monitor.auth.roles import Role

router = APIRouter(
    prefix="/api",
    tags=["audit"],
    route_class=DocRoute,
    dependencies=[Depends(require_role(Role.ADMIN))],
)

AuditLogDep = Annotated[AuditLog, Depends(get_audit_log)]
Epoch = Annotated[float | None, Query(allow_inf_nan=False, description="Epoch seconds.")]


def audit_query(
    actor: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[
        str | None,
        Query(max_length=64, description="Exact action, or a prefix ending in '.' ('alert.')."),
    ] = None,
    target: Annotated[str | None, Query(max_length=128)] = None,
    since: Epoch = None,
    until: Epoch = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> AuditQuery:
    if since is not None and until is not None and since > until:
        raise HTTPException(422, f"since ({since:g}) is after until ({until:g})")
    return AuditQuery(actor, action, target, since, until, limit)


AuditQueryDep = Annotated[AuditQuery, Depends(audit_query)]


@router.get("/audit", response_model=list[AuditEntryPublic])
def list_audit(query: AuditQueryDep, log: AuditLogDep) -> list[AuditEntryPublic]:
    """Audit entries, newest first, by actor, action, target and time."""
    return [
        AuditEntryPublic(
            id=e.id or 0,
            at=e.at,
            actor=e.actor,
            action=e.action,
            target=e.target,
            detail=e.detail,
            ip=e.ip,
        )
        for e in log.entries(query)
    ]


@router.get(
    "/audit.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The entries as CSV."}},
)
def export_audit(query: AuditQueryDep, log: AuditLogDep, audit: AuditDep) -> Response:
    """The same entries as CSV (the export itself is audited too)."""
    entries = log.entries(query)
    audit.record("audit.exported", "", {"rows": len(entries)})
    return Response(
        audit_csv(entries),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )
