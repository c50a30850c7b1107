"""The role matrix: every route refuses callers without a login (401) and below its role (403)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from monitor.application import build_application
from monitor.auth.roles import Role
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from tests.support.auth import api_token, bearer
from tests.support.blobs import BlobCountEstimator
from tests.support.config import minimal_site
from tests.support.server import running_server
from tests.support.sources import PushedSources

PUBLIC = None
V, OP, S, A = Role.VIEWER, Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN

# (method, path) → the lowest role allowed; PUBLIC needs no login.
MATRIX: dict[tuple[str, str], Role | None] = {
    ("get", "/healthz"): PUBLIC,
    ("get", "/metrics"): V,
    ("post", "/api/auth/login"): PUBLIC,
    ("post", "/api/auth/logout"): V,
    ("get", "/api/auth/me"): V,
    ("get", "/api/config"): V,
    ("get", "/api/sites"): V,
    ("get", "/api/sites/{site_id}"): V,
    ("get", "/api/sites/{site_id}/readings"): V,
    ("get", "/api/camera-health"): V,
    ("get", "/api/sites/{site_id}/snapshot.jpg"): V,
    ("put", "/api/sites/{site_id}/thresholds"): S,
    ("get", "/api/sites/{site_id}/thresholds/history"): V,
    ("get", "/api/alerts"): V,
    ("get", "/api/alerts/{alert_id}"): V,
    ("post", "/api/alerts/{alert_id}/ack"): OP,
    ("post", "/api/alerts/{alert_id}/dispatch"): OP,
    ("post", "/api/alerts/{alert_id}/arrive"): OP,
    ("post", "/api/alerts/{alert_id}/resolve"): OP,
    ("get", "/api/platforms"): V,
    ("get", "/api/users"): A,
    ("post", "/api/users"): A,
    ("patch", "/api/users/{name}"): A,
    ("post", "/api/users/{name}/token"): A,
    ("get", "/api/audit"): A,
    ("get", "/api/audit.csv"): A,
    # Issue 4 (recording, replay, export) and 6 (site setup): replay and export are
    # operator acts, pins are supervisor acts.
    ("get", "/api/sites/{site_id}/recordings"): OP,
    ("get", "/api/recordings/{recording_id}/video"): OP,
    ("post", "/api/sites/{site_id}/recordings/cut"): OP,
    # The count check: its pictures are what operators see live; changing it is setup.
    ("get", "/api/sites/{site_id}/count-samples"): OP,
    ("get", "/api/count-samples/{sample_id}/image.jpg"): OP,
    ("post", "/api/sites/{site_id}/count-samples"): S,
    ("put", "/api/count-samples/{sample_id}/heads"): S,
    ("delete", "/api/count-samples/{sample_id}"): S,
    ("post", "/api/sites/{site_id}/count-scale/fit"): S,
    ("put", "/api/sites/{site_id}/count-scale"): S,
    ("get", "/api/sites/{site_id}/count-scale"): V,
    ("get", "/api/sites/{site_id}/frame.jpg"): OP,
    ("get", "/api/sites/{site_id}/alerts"): OP,
    ("get", "/api/pins"): OP,
    ("post", "/api/pins"): S,
    ("delete", "/api/pins/{pin_id}"): S,
    ("post", "/api/exports"): OP,
    ("post", "/api/whatif"): OP,
    ("put", "/api/sites/{site_id}/region"): S,
    ("post", "/api/sites/{site_id}/calibration/fit"): S,
    ("put", "/api/sites/{site_id}/calibration"): S,
    ("delete", "/api/sites/{site_id}/calibration"): S,
    ("put", "/api/sites/{site_id}/source"): S,
    ("put", "/api/sites/{site_id}/picture-limits"): S,
    ("put", "/api/sites/{site_id}/motion"): S,
    # The set-up view is a camera picture like the snapshot; holding a camera to it is setup.
    ("get", "/api/sites/{site_id}/view-reference"): V,
    ("get", "/api/sites/{site_id}/view-reference.jpg"): V,
    ("put", "/api/sites/{site_id}/view-reference"): S,
    ("get", "/api/sites/{site_id}/setup/history"): V,
    ("get", "/api/sites/{site_id}/status-history"): V,
    ("get", "/api/sites/{site_id}/outages"): V,
    ("get", "/api/camera-health/outages.csv"): V,
    ("post", "/api/sites/{site_id}/thresholds/preview"): S,
    ("post", "/api/sites/{site_id}/motion/preview"): S,
    ("get", "/api/config.yaml"): S,
    # Webhooks: what the command center tells others is a supervisor's business.
    ("get", "/api/notifications/webhooks"): S,
    ("get", "/api/notifications/deliveries"): S,
    ("get", "/api/notifications/deliveries/{delivery_id}"): S,
    ("post", "/api/notifications/deliveries/{delivery_id}/retry"): S,
    ("post", "/api/notifications/webhooks/{name}/test"): S,
    # After-action review, as replay and export.
    ("get", "/api/reports/response"): OP,
    ("get", "/api/reports/response/alerts.csv"): OP,
    ("post", "/api/sites/{site_id}/fault-ack"): OP,
    ("get", "/api/fault-acks"): V,
}

PATH_VALUES = {
    "site_id": "gate-a",
    "alert_id": "nope",
    "name": "nobody",
    "recording_id": "1",
    "pin_id": "1",
    "delivery_id": "1",
    "sample_id": "1",
}


@dataclass
class Matrix:
    http: httpx.Client
    tokens: dict[Role, str]
    operations: set[tuple[str, str]]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    # The real application, one server for the whole matrix: each case only asks who
    # may pass the door.
    folder = tmp_path_factory.mktemp("roles")
    config = AppConfig.model_validate({"sites": [minimal_site(id="gate-a")]})
    settings = Settings(data_dir=folder, sample_cache=folder / "samples")
    application = build_application(
        config, settings, estimator=BlobCountEstimator(), source_factory=PushedSources()
    )
    app = application.start()
    try:
        assert application.auth is not None
        tokens = {role: api_token(application.auth, f"{role.value}-user", role) for role in Role}
        operations = {
            (method, path) for path, item in app.openapi()["paths"].items() for method in item
        }
        with running_server(app) as server, httpx.Client(base_url=server.base_url) as http:
            yield Matrix(http, tokens, operations)
    finally:
        application.stop()


def call(matrix: Matrix, method: str, path: str, role: Role | None) -> httpx.Response:
    url = path.format(**PATH_VALUES)
    headers = {} if role is None else bearer(matrix.tokens[role])
    body: dict[str, object] | None = None if method in ("get", "delete") else {}
    return matrix.http.request(method.upper(), url, json=body, headers=headers)


def test_every_route_is_in_the_matrix(matrix: Matrix) -> None:
    assert matrix.operations == set(MATRIX)


@pytest.mark.parametrize(
    ("method", "path", "lowest"),
    [pytest.param(m, p, r, id=f"{m}-{p}") for (m, p), r in MATRIX.items()],
)
def test_route_checks_the_role(matrix: Matrix, method: str, path: str, lowest: Role | None) -> None:
    anonymous = call(matrix, method, path, None)
    if lowest is None:
        assert anonymous.status_code not in (401, 403), anonymous.text
        return
    assert anonymous.status_code == 401, anonymous.text
    assert "login required" in anonymous.json()["detail"]
    for role in Role:
        response = call(matrix, method, path, role)
        if role.at_least(lowest):
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, response.text)
            assert f"needs the {lowest.value} role" in response.json()["detail"]


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer not-a-token", id="unknown-token"),
        pytest.param("Bearer", id="empty-token"),
        pytest.param("Basic YWRtaW46YWRtaW4=", id="basic-scheme"),
    ],
)
def test_bad_credentials_are_401(matrix: Matrix, authorization: str) -> None:
    response = matrix.http.get("/api/sites", headers={"Authorization": authorization})
    assert response.status_code == 401
