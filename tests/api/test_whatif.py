"""POST /api/whatif over readings of a known shape: the trend's warning reaches the answer."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from monitor.config.app import AppConfig
from monitor.store.base import StoredReading
from tests.support.api_harness import Api, ApiFactory
from tests.support.config import minimal_site
from tests.support.fake_monitor import stored_reading

T0 = 1_700_000_000.0
COUNT_LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 2.0, "exit": 1.5}],
}


def surge(site_id: str) -> list[StoredReading]:
    """A reading every half second for 200 s, the count rising 1 a minute from 0.5."""
    readings = []
    for k in range(400):
        count = 0.5 + k / 120
        reading = stored_reading(site_id, k, T0 + k / 2, peak=count / 10)
        readings.append(dataclasses.replace(reading, count=count))
    return readings


@pytest.fixture
def whatif_api(make_api: ApiFactory) -> Api:
    # gate-a: a one-minute trend window; gate-b: the trend off.
    config = AppConfig.model_validate(
        {
            "sites": [
                minimal_site(id="gate-a", trend={"window_s": 60, "horizon_s": 300}),
                minimal_site(id="gate-b", trend={"enabled": False}),
            ]
        }
    )
    api = make_api(recording=config)
    api.store.add_readings(surge("gate-a") + surge("gate-b"))
    return api


@pytest.mark.parametrize(
    ("site_id", "warned_s"),
    [
        # The trend has 30 s of history when 2.0 is a minute away: it projects elevated
        # from then on, estimated every 5 s of the replay.
        pytest.param("gate-a", 60.0, id="the-trend-warned-a-minute-ahead"),
        pytest.param("gate-b", None, id="no-warning-with-the-trend-off"),
    ],
)
def test_each_alert_says_how_early_the_trend_warned(
    whatif_api: Api, site_id: str, warned_s: float | None
) -> None:
    body = {"site_id": site_id, "since": T0, "until": T0 + 200, "thresholds": COUNT_LEVELS}

    response = whatif_api.http.post("/api/whatif", json=body)

    assert response.status_code == 200, response.text
    (alert,) = response.json()["candidate"]["alerts"]
    # 2.0 is reached 90 s in.
    assert alert["raised_at"] == pytest.approx(T0 + 90, abs=0.5)
    if warned_s is None:
        assert (alert["warned_at"], alert["warned_s"]) == (None, None)
    else:
        assert alert["warned_s"] == pytest.approx(warned_s, abs=5.0)
        assert alert["warned_at"] == pytest.approx(alert["raised_at"] - alert["warned_s"])
