from __future__ import annotations

import csv
import io
import time

import pytest

from monitor.quality.verdict import QualityIssue
from tests.support.api_harness import Api
from tests.support.fake_monitor import picture_verdict as verdict

T0 = 1_700_000_000.0
STATES = ("good_s", "poor_s", "unassessed_s", "offline_s", "stopped_s", "dark_s")


def times(**seconds: float) -> dict[str, float]:
    """A site's or bin's state times: zero in every state not named."""
    return {state: seconds.get(state, 0) for state in STATES}


@pytest.fixture
def health_api(api: Api) -> Api:
    """gate-a over [T0, T0 + 100): good 0-20, grainy 20-44, dark 44-70, good again from 70.

    Readings every second; the fake monitor's sites are analysed at 2 fps, so a reading
    vouches for 5 s. gate-b has never been analysed.
    """
    quality = {t: verdict() for t in range(20)}
    quality |= {t: verdict(QualityIssue.NOISE) for t in range(20, 40)}
    quality |= {t: verdict() for t in range(70, 100)}
    for seq, (t, picture) in enumerate(sorted(quality.items())):
        api.monitor.observe("gate-a", seq=seq, at=T0 + t, peak=0.5, quality=picture)
    return api


def test_a_report_per_site(health_api: Api) -> None:
    response = health_api.http.get(
        "/api/camera-health", params={"since": T0, "until": T0 + 100, "bins": 4}
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["since"], report["until"], report["bin_s"]) == (T0, T0 + 100, 25)
    gate_a, gate_b = report["sites"]
    assert gate_a["site_id"] == "gate-a"
    assert gate_a["hold_s"] == 5
    # Reading 39 (poor) vouches until 44, then nothing until 70.
    assert gate_a["times"] == times(good_s=50, poor_s=24, dark_s=26)
    assert gate_a["issue_s"] == {
        "blank": 0,
        "noise": 24,
        "detail_loss": 0,
        "blocking": 0,
        "view_moved": 0,
    }
    stretch = {"start": T0 + 20, "end": T0 + 44, "issues": ["noise"]}
    assert gate_a["longest"] == stretch
    assert gate_a["latest"] == [stretch]
    assert gate_a["stretch_count"] == 1
    assert [b["times"] for b in gate_a["bins"]] == [
        times(good_s=20, poor_s=5),
        times(poor_s=19, dark_s=6),
        times(good_s=5, dark_s=20),
        times(good_s=25),
    ]
    assert gate_a["status"] == "online"
    assert gate_a["picture_now"] == []
    assert gate_b["times"]["dark_s"] == 100
    assert gate_b["longest"] is None
    assert gate_b["picture_now"] is None
    assert gate_b["picture_at"] is None
    assert gate_b["status"] == "starting"
    assert (gate_a["outage_count"], gate_a["longest_outage"], gate_a["outages"]) == (0, None, [])


def test_the_recorded_status_says_why_there_was_no_picture(health_api: Api) -> None:
    """gate-a's dark 44-70 was the camera offline from 50 (two reasons), and the monitor
    stopped from 60 until it started again at 65, with the camera still offline."""
    store = health_api.store
    store.record_status(["gate-a", "gate-b"], T0 - 50, "starting", "")
    store.record_status(["gate-a"], T0 - 49, "online", "")
    store.record_status(["gate-a"], T0 + 50, "offline", "no frames for 10 s")
    store.record_status(["gate-a"], T0 + 55, "offline", "cannot open rtsp://cam/1")
    store.record_status(["gate-a", "gate-b"], T0 + 60, "stopped", "")
    store.record_status(["gate-a", "gate-b"], T0 + 65, "starting", "")
    store.record_status(["gate-a"], T0 + 66, "offline", "cannot open rtsp://cam/1")
    store.record_status(["gate-a"], T0 + 69, "online", "")

    response = health_api.http.get(
        "/api/camera-health", params={"since": T0, "until": T0 + 100, "bins": 4}
    )

    assert response.status_code == 200, response.text
    gate_a, gate_b = response.json()["sites"]
    # Dark 44-50 (online, no readings), 65-66 (starting); offline 50-60 and 66-69; stopped 60-65.
    assert gate_a["times"] == times(good_s=50, poor_s=24, offline_s=13, stopped_s=5, dark_s=8)
    assert [b["times"] for b in gate_a["bins"]] == [
        times(good_s=20, poor_s=5),
        times(poor_s=19, dark_s=6),
        times(good_s=5, offline_s=13, stopped_s=5, dark_s=2),
        times(good_s=25),
    ]
    first = {
        "start": T0 + 50,
        "end": T0 + 60,
        "reasons": ["no frames for 10 s", "cannot open rtsp://cam/1"],
        "open_ended": True,
    }
    second = {
        "start": T0 + 66,
        "end": T0 + 69,
        "reasons": ["cannot open rtsp://cam/1"],
        "open_ended": False,
    }
    assert gate_a["outage_count"] == 2
    assert gate_a["outages"] == [first, second]
    assert gate_a["longest_outage"] == first
    # Never analysed: starting from before the span, stopped 60-65.
    assert gate_b["times"] == times(stopped_s=5, dark_s=95)
    assert gate_b["outage_count"] == 0


def test_the_status_history_newest_first(health_api: Api) -> None:
    store = health_api.store
    store.record_status(["gate-a", "gate-b"], T0, "starting", "")
    store.record_status(["gate-a"], T0 + 1, "online", "")
    store.record_status(["gate-a"], T0 + 9, "offline", "end of stream")

    everything = health_api.http.get("/api/sites/gate-a/status-history")
    recent = health_api.http.get(
        "/api/sites/gate-a/status-history", params={"since": T0 + 1, "limit": 1}
    )

    assert everything.status_code == 200, everything.text
    assert everything.json() == [
        {"at": T0 + 9, "status": "offline", "reason": "end of stream"},
        {"at": T0 + 1, "status": "online", "reason": ""},
        {"at": T0, "status": "starting", "reason": ""},
    ]
    assert recent.json() == [{"at": T0 + 9, "status": "offline", "reason": "end of stream"}]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        pytest.param("/api/sites/nowhere/status-history", 404, "nowhere", id="unknown-site"),
        pytest.param(
            f"/api/sites/gate-a/status-history?since={T0 + 1}&until={T0}",
            422,
            "after until",
            id="since-after-until",
        ),
        pytest.param("/api/sites/gate-a/status-history?limit=0", 422, "limit", id="no-limit"),
        pytest.param("/api/sites/gate-a/status-history?since=inf", 422, "since", id="since-inf"),
    ],
)
def test_a_bad_status_history_query_is_a_4xx(
    health_api: Api, path: str, status: int, words: str
) -> None:
    response = health_api.http.get(path)

    assert response.status_code == status
    assert words in str(response.json()["detail"])


def test_the_picture_now_is_the_latest_readings(health_api: Api) -> None:
    health_api.monitor.observe(
        "gate-a", seq=999, at=T0 + 100, peak=0.5, quality=verdict(QualityIssue.BLANK)
    )

    response = health_api.http.get("/api/camera-health", params={"site": "gate-a"})

    assert response.status_code == 200, response.text
    (gate_a,) = response.json()["sites"]
    assert (gate_a["picture_now"], gate_a["picture_at"]) == (["blank"], T0 + 100)


def test_the_default_span_is_the_last_day(health_api: Api) -> None:
    before = time.time()
    response = health_api.http.get("/api/camera-health")
    after = time.time()

    assert response.status_code == 200, response.text
    report = response.json()
    assert before <= report["until"] <= after
    assert report["until"] - report["since"] == 86_400
    assert len(report["sites"][0]["bins"]) == 48
    # T0 is long past: nothing in the last day was analysed.
    assert report["sites"][0]["times"]["dark_s"] == pytest.approx(86_400)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param((("site", "gate-b"),), ["gate-b"], id="one"),
        pytest.param((("site", "gate-b"), ("site", "gate-a")), ["gate-a", "gate-b"], id="both"),
    ],
)
def test_only_the_sites_asked_for(
    health_api: Api, params: tuple[tuple[str, str], ...], expected: list[str]
) -> None:
    response = health_api.http.get("/api/camera-health", params=params)

    assert response.status_code == 200, response.text
    assert [s["site_id"] for s in response.json()["sites"]] == expected


def test_an_unknown_site_is_404(health_api: Api) -> None:
    response = health_api.http.get(
        "/api/camera-health", params=[("site", "gate-a"), ("site", "nowhere")]
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "no site 'nowhere'"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        pytest.param(f"?since={T0 + 5}&until={T0 + 5}", ("since", "until"), id="empty-span"),
        pytest.param(f"?since={T0 + 5}&until={T0}", ("since", "until"), id="since-after-until"),
        pytest.param(f"?since={T0}&until={T0 + 32 * 86_400}", ("31 days",), id="too-long"),
        pytest.param("?bins=0", ("bins",), id="no-bins"),
        pytest.param("?bins=501", ("bins",), id="too-many-bins"),
        pytest.param("?since=nan", ("since",), id="since-nan"),
        pytest.param("?until=yesterday", ("until",), id="until-not-number"),
    ],
)
def test_a_bad_query_is_422(health_api: Api, query: str, names: tuple[str, ...]) -> None:
    response = health_api.http.get(f"/api/camera-health{query}")

    assert response.status_code == 422
    detail = str(response.json()["detail"])
    for name in names:
        assert name in detail


def test_the_outages_of_a_span_clipped_to_it(health_api: Api) -> None:
    store = health_api.store
    store.record_status(["gate-a"], T0 - 30, "offline", "no frames for 10 s")
    store.record_status(["gate-a"], T0 + 10, "online", "")
    store.record_status(["gate-a"], T0 + 40, "offline", "cannot open rtsp://cam/1")
    store.record_status(["gate-a"], T0 + 45, "offline", "end of stream")
    store.record_status(["gate-a"], T0 + 50, "stopped", "")
    store.record_status(["gate-a"], T0 + 90, "offline", "end of stream")

    response = health_api.http.get(
        "/api/sites/gate-a/outages", params={"since": T0, "until": T0 + 100}
    )
    quiet = health_api.http.get(
        "/api/sites/gate-b/outages", params={"since": T0, "until": T0 + 100}
    )

    assert response.status_code == 200, response.text
    assert response.json() == [
        # In force when the span began: it starts there.
        {"start": T0, "end": T0 + 10, "reasons": ["no frames for 10 s"], "open_ended": False},
        {
            "start": T0 + 40,
            "end": T0 + 50,
            "reasons": ["cannot open rtsp://cam/1", "end of stream"],
            "open_ended": True,
        },
        {"start": T0 + 90, "end": T0 + 100, "reasons": ["end of stream"], "open_ended": True},
    ]
    assert quiet.json() == []


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        pytest.param(f"?since={T0}", 422, "until", id="no-until"),
        pytest.param(f"?since={T0}&until={T0}", 422, "before until", id="empty-span"),
        pytest.param(f"?since={T0}&until={T0 + 32 * 86_400}", 422, "31 days", id="too-long"),
        pytest.param(f"?since={T0}&until=nan", 422, "until", id="until-nan"),
    ],
)
def test_a_bad_outages_query_is_a_4xx(health_api: Api, query: str, status: int, words: str) -> None:
    response = health_api.http.get(f"/api/sites/gate-a/outages{query}")

    assert response.status_code == status
    assert words in str(response.json()["detail"])


def test_the_outages_of_an_unknown_site_are_404(health_api: Api) -> None:
    response = health_api.http.get(
        "/api/sites/nowhere/outages", params={"since": T0, "until": T0 + 1}
    )
    assert response.status_code == 404


def test_the_outages_of_every_site_as_csv(health_api: Api) -> None:
    store = health_api.store
    store.record_status(["gate-a", "gate-b"], T0, "online", "")
    store.record_status(["gate-a"], T0 + 10, "offline", "no frames for 10 s")
    store.record_status(["gate-a"], T0 + 12, "offline", 'cannot open "rtsp://cam/1"; refused')
    store.record_status(["gate-a"], T0 + 30.5, "online", "")
    store.record_status(["gate-b"], T0 + 90, "offline", "end of stream")

    response = health_api.http.get(
        "/api/camera-health/outages.csv", params={"since": T0, "until": T0 + 100}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        response.headers["content-disposition"]
        == f'attachment; filename="outages-{int(T0)}-{int(T0 + 100)}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [
        {
            "site_id": "gate-a",
            "site_name": "Gate A",
            "start_utc": "2023-11-14T22:13:30+00:00",
            "end_utc": "2023-11-14T22:13:50+00:00",
            "start": repr(T0 + 10),
            "end": repr(T0 + 30.5),
            "duration_s": "20.5",
            "still_offline": "no",
            "reasons": 'no frames for 10 s; cannot open "rtsp://cam/1"; refused',
        },
        {
            "site_id": "gate-b",
            "site_name": "Gate B",
            "start_utc": "2023-11-14T22:14:50+00:00",
            "end_utc": "2023-11-14T22:15:00+00:00",
            "start": repr(T0 + 90),
            "end": repr(T0 + 100),
            "duration_s": "10.0",
            "still_offline": "yes",
            "reasons": "end of stream",
        },
    ]
    only_b = health_api.http.get(
        "/api/camera-health/outages.csv",
        params={"since": T0, "until": T0 + 100, "site": "gate-b"},
    )
    assert [r["site_id"] for r in csv.DictReader(io.StringIO(only_b.text))] == ["gate-b"]


@pytest.mark.parametrize(
    ("query", "status", "words"),
    [
        pytest.param(f"?since={T0}&until={T0}", 422, "before until", id="empty-span"),
        pytest.param(f"?since={T0}&until={T0 + 32 * 86_400}", 422, "31 days", id="too-long"),
        pytest.param("?site=nowhere", 404, "no site 'nowhere'", id="unknown-site"),
    ],
)
def test_a_bad_outages_csv_query_is_a_4xx(
    health_api: Api, query: str, status: int, words: str
) -> None:
    response = health_api.http.get(f"/api/camera-health/outages.csv{query}")

    assert response.status_code == status
    assert words in str(response.json()["detail"])
