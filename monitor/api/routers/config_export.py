"""The running config exported as YAML: the file to bootstrap the next deployment from."""

from __future__ import annotations

import time
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, HTTPException, Query, Response

from monitor.api.deps import MonitorDep
from monitor.api.routing import DocRoute
from monitor.auth.deps import Role, SupervisorUser
from monitor.config.app import AppConfig
from monitor.ingest.redact import redact_source

router = APIRouter(tags=["config"], route_class=DocRoute)


def config_yaml(config: AppConfig, header: str, include_secrets: bool) -> str:
    """YAML that `check-config` accepts and loads back to `config` (sources masked unless
    `include_secrets`). Values equal to their defaults are left out, as a person would."""
    data: dict[str, Any] = config.model_dump(mode="json", exclude_defaults=True)
    if not include_secrets:
        for site in data["sites"]:
            site["source"] = redact_source(site["source"])
        # A webhook URL can hold a key too (a chat bot's access_token); url_env keeps it out.
        for webhook in data.get("notify", {}).get("webhooks", []):
            if "url" in webhook:
                webhook["url"] = redact_source(webhook["url"])
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    comments = "".join(f"# {line}\n" for line in header.splitlines())
    return comments + body


@router.get(
    "/api/config.yaml",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}, "description": "The config file."}},
)
def export_config(
    monitor: MonitorDep,
    user: SupervisorUser,
    include_secrets: Annotated[
        bool, Query(description="Keep camera credentials in sources (admin only).")
    ] = False,
) -> Response:
    """The config as it runs now, with every change made from the page, as YAML."""
    if include_secrets and not user.role.at_least(Role.ADMIN):
        raise HTTPException(
            403, f"include_secrets needs the admin role; '{user.name}' is {user.role.value}"
        )
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    header = (
        f"crowd-monitor config exported {stamp} by {user.name}.\n"
        + ("" if include_secrets else "Camera credentials are masked as ***: fill them in.\n")
        + "Check it with: crowd-monitor check-config FILE"
    )
    text = config_yaml(monitor.effective_config(), header, include_secrets)
    return Response(
        text,
        media_type="application/yaml",
        headers={"Content-Disposition": 'attachment; filename="crowd-monitor.yaml"'},
    )
