"""The response report over alerts saved in a real store, through a real server."""

from __future__ import annotations

import csv
import io
import time

import pytest

from tests.support.api_harness import Api
from tests.support.stored_alerts import save_response_history

NOW = time.time()


@pytest.fixture
def stored(api: Api) -> Api:
    save_response_history(api.store, NOW)
    return api


def test_the_report_measures_acknowledgement_and_arrival_per_site_and_tier(stored: Api) -> None:
    response = stored.http.get("/api/reports/response")
    assert response.status_code == 200, response.text
    report = response.json()
    total = report["total"]
    assert (total["site_name"], total["alerts"], total["acknowledged"], total["overdue"]) == (
        "All sites",
        3,
        2,
        1,
    )
    assert total["acknowledge"] == {"count": 2, "median_s": 70.0, "p90_s": 120.0, "max_s": 120.0}
    assert (total["dispatched"], total["within_tier"], total["late"]) == (2, 1, 1)
    assert total["waiting_now"] == 1
    assert total["by_peak_level"] == {"high": 1, "elevated": 2}
    assert (total["peak_value"], total["peak_alert_id"]) == (4.2, "a1")
    sites = {s["site_id"]: s for s in report["sites"]}
    assert list(sites) == ["gate-a", "gate-b"]
    assert sites["gate-a"]["site_name"] == "Gate A"
    assert (sites["gate-a"]["alerts"], sites["gate-b"]["alerts"]) == (2, 1)
    tiers = {t["tier_minutes"]: t for t in report["tiers"]}
    assert (tiers[1]["late"], tiers[3]["within"]) == (1, 1)
    [late] = report["late"]
    assert (late["alert_id"], late["platform"], late["took_s"], late["arrived"]) == (
        "a2",
        "Wuyi 1 min",
        pytest.approx(95.0),
        True,
    )


def test_one_site_and_an_older_span(stored: Api) -> None:
    one = stored.http.get("/api/reports/response", params={"site": "gate-b"}).json()
    assert [s["site_id"] for s in one["sites"]] == ["gate-b"]
    assert one["total"]["alerts"] == 1
    older = stored.http.get(
        "/api/reports/response", params={"since": NOW - 3 * 86_400, "until": NOW - 86_400}
    ).json()
    assert older["total"]["alerts"] == 1  # a4 alone
    retired = stored.http.get("/api/reports/response", params={"site": "gone"}).json()
    assert retired["total"]["alerts"] == 0


def test_the_csv_has_a_row_per_alert_with_its_times(stored: Api) -> None:
    response = stored.http.get("/api/reports/response/alerts.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["alert_id"] for r in rows] == ["a1", "a2", "a3"]
    first, second, third = rows
    assert (first["acknowledge_s"], first["dispatch_s"], first["arrival_s"]) == (
        "20.0",
        "60.0",
        "150.0",
    )
    assert (first["within_tier"], first["crowd_s"], first["outcome"]) == (
        "yes",
        "600.0",
        "queue managed",
    )
    assert (second["within_tier"], second["overdue"], second["platform"]) == (
        "no",
        "yes",
        "Wuyi 1 min",
    )
    assert (third["acknowledge_s"], third["within_tier"], third["state"]) == ("", "", "open")


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        pytest.param({"since": NOW, "until": NOW - 10}, "must be before until", id="reversed"),
        pytest.param({"since": NOW - 40 * 86_400, "until": NOW}, "at most 31 days", id="too-long"),
        pytest.param({"since": "yesterday"}, "valid number", id="not-a-number"),
    ],
)
def test_a_bad_span_says_why(api: Api, query: dict[str, object], detail: str) -> None:
    response = api.http.get("/api/reports/response", params=query)  # type: ignore[arg-type]
    assert response.status_code == 422
    assert detail in response.text
