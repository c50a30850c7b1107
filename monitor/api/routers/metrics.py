"""GET /metrics for Prometheus; a login like every other route (scrape with an API token of
a viewer: `authorization: {credentials: TOKEN}` in the scrape config)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from monitor.api.routing import DocRoute
from monitor.auth.deps import ViewerUser

router = APIRouter(tags=["meta"], route_class=DocRoute)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
)
def metrics(request: Request, _user: ViewerUser) -> Response:
    """Every site's camera, count, level and alerts, and every webhook's queue, for Prometheus."""
    body = generate_latest(request.app.state.metrics)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
