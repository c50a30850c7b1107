"""POST /api/sites/{id}/recordings/cut where there is nothing to cut; the real cut is in
tests/integration/test_replay.py (a real pipeline and encoder)."""

from __future__ import annotations

import pytest

from monitor.config.app import AppConfig
from tests.support.api_harness import Api, ApiFactory
from tests.support.config import minimal_site


@pytest.fixture
def cut_api(make_api: ApiFactory) -> Api:
    # gate-a records (its recorder is not started here: nothing is open); gate-b does not.
    config = AppConfig.model_validate(
        {
            "sites": [
                minimal_site(id="gate-a", recording={"policy": "continuous"}),
                minimal_site(id="gate-b", recording={"policy": "off"}),
            ]
        }
    )
    return make_api(recording=config)


@pytest.mark.parametrize(
    ("site_id", "status", "answer"),
    [
        pytest.param(
            "gate-a",
            200,
            {"site_id": "gate-a", "closed": False, "until": None},
            id="nothing-open",
        ),
        pytest.param("gate-b", 409, {"detail": "recording is off at gate-b"}, id="not-recorded"),
        pytest.param("nowhere", 404, {"detail": "no site 'nowhere'"}, id="no-such-site"),
    ],
)
def test_a_cut_says_what_it_closed_or_why_not(
    cut_api: Api, site_id: str, status: int, answer: dict[str, object]
) -> None:
    response = cut_api.http.post(f"/api/sites/{site_id}/recordings/cut")
    assert (response.status_code, response.json()) == (status, answer)


def test_a_server_without_recording_says_so(make_api: ApiFactory) -> None:
    response = make_api().http.post("/api/sites/gate-a/recordings/cut")
    assert response.status_code == 503
    assert "recording is not available" in response.text
