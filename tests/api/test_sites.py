from __future__ import annotations

from typing import Any

import pytest

from monitor.auth.roles import Role
from monitor.bus.convert import thresholds_public
from tests.api.conftest import recv_envelope
from tests.support.api_harness import Api
from tests.support.auth import api_token, bearer
from tests.support.fake_monitor import default_thresholds

T0 = 1_700_000_000.0

VALID_THRESHOLDS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 3,
    "cooldown_s": 30,
    "levels": [
        {"name": "busy", "color": "#ffaa00", "enter": 50, "exit": 40},
        {"name": "packed", "color": "#ff0000", "enter": 90, "exit": 80},
    ],
}


def _thresholds(**changes: Any) -> dict[str, Any]:
    return {**VALID_THRESHOLDS, **changes}


def _level(name: str, enter: float, exit: float, **extra: Any) -> dict[str, Any]:
    return {"name": name, "color": "#123456", "enter": enter, "exit": exit, **extra}


def test_list_sites(api: Api) -> None:
    response = api.http.get("/api/sites")

    assert response.status_code == 200
    sites = response.json()
    assert [s["id"] for s in sites] == ["gate-a", "gate-b"]
    assert sites[0]["latest"] is None
    assert sites[0]["thresholds"] == thresholds_public(default_thresholds()).model_dump()


def test_get_site_shows_latest_reading(api: Api) -> None:
    api.monitor.observe("gate-b", seq=7, at=T0, peak=1.25)

    response = api.http.get("/api/sites/gate-b")

    assert response.status_code == 200
    site = response.json()
    assert site["id"] == "gate-b"
    assert site["status"] == "online"
    assert site["latest"]["seq"] == 7
    assert site["latest"]["peak_density"] == 1.25


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/sites/nowhere", id="site"),
        pytest.param("/api/sites/nowhere/readings", id="readings"),
        pytest.param("/api/sites/nowhere/snapshot.jpg", id="snapshot"),
        pytest.param("/api/sites/nowhere/thresholds/history", id="history"),
    ],
)
def test_unknown_site_is_404(api: Api, path: str) -> None:
    response = api.http.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "no site 'nowhere'"}


def test_put_thresholds_on_unknown_site_is_404(api: Api) -> None:
    response = api.http.put("/api/sites/nowhere/thresholds", json=VALID_THRESHOLDS)

    assert response.status_code == 404
    assert response.json() == {"detail": "no site 'nowhere'"}


# -- readings ------------------------------------------------------------------------------


@pytest.fixture
def readings_api(api: Api) -> Api:
    for seq in range(10):
        api.monitor.observe("gate-a", seq=seq, at=T0 + seq, peak=0.5 + seq / 100)
    api.monitor.observe("gate-b", seq=0, at=T0, peak=0.1)
    return api


@pytest.mark.parametrize(
    ("query", "seqs"),
    [
        pytest.param("", list(range(10)), id="all"),
        pytest.param(f"?since={T0 + 3}", list(range(3, 10)), id="since"),
        pytest.param(f"?until={T0 + 2}", [0, 1, 2], id="until"),
        pytest.param(f"?since={T0 + 4}&until={T0 + 6}", [4, 5, 6], id="window"),
        pytest.param(f"?since={T0 + 4}&until={T0 + 4}", [4], id="instant"),
        pytest.param("?limit=3", [7, 8, 9], id="limit-keeps-latest"),
        pytest.param(f"?since={T0 + 100}", [], id="none"),
    ],
)
def test_readings(readings_api: Api, query: str, seqs: list[int]) -> None:
    response = readings_api.http.get(f"/api/sites/gate-a/readings{query}")

    assert response.status_code == 200
    readings = response.json()
    assert [r["seq"] for r in readings] == seqs
    for reading in readings:
        assert set(reading) == {
            "seq",
            "captured_at",
            "analysed_at",
            "count",
            "mean_density",
            "peak_density",
            "level",
            "grid",
            "frame_width",
            "frame_height",
            "image_quality",
            "trend",
            "motion",
        }
        assert reading["grid"][0][0] is None
        # The store keeps no trend: it is live only.
        assert reading["trend"] is None
        # These readings were stored without a motion (as by an earlier build).
        assert reading["motion"] is None


@pytest.mark.parametrize(
    ("query", "names"),
    [
        pytest.param(f"?since={T0 + 5}&until={T0 + 1}", ("since", "until"), id="since-after-until"),
        pytest.param("?limit=0", ("limit",), id="limit-zero"),
        pytest.param("?limit=10001", ("limit",), id="limit-too-big"),
        pytest.param("?limit=many", ("limit",), id="limit-not-int"),
        pytest.param("?since=yesterday", ("since",), id="since-not-number"),
        pytest.param("?until=nan", ("until",), id="until-nan"),
        pytest.param("?since=inf", ("since",), id="since-inf"),
    ],
)
def test_readings_bad_query_is_422(readings_api: Api, query: str, names: tuple[str, ...]) -> None:
    response = readings_api.http.get(f"/api/sites/gate-a/readings{query}")

    assert response.status_code == 422
    detail = str(response.json()["detail"])
    for name in names:
        assert name in detail


# -- snapshot ------------------------------------------------------------------------------


def test_snapshot_before_first_frame_is_503(api: Api) -> None:
    response = api.http.get("/api/sites/gate-a/snapshot.jpg")

    assert response.status_code == 503
    assert response.json() == {"detail": "no frame analysed yet at site 'gate-a'"}


@pytest.mark.parametrize(
    ("query", "suffix"),
    [
        pytest.param("", b":overlay", id="default-overlay"),
        pytest.param("?overlay=true", b":overlay", id="overlay"),
        pytest.param("?overlay=false", b":plain", id="plain"),
        pytest.param("?overlay=false&seq=12", b":plain", id="cache-buster-ignored"),
    ],
)
def test_snapshot(api: Api, query: str, suffix: bytes) -> None:
    api.monitor.observe("gate-a", seq=12, at=T0, peak=1.0)

    response = api.http.get(f"/api/sites/gate-a/snapshot.jpg{query}")

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "no-store"
    assert response.content == b"\xff\xd8\xff\xe0gate-a:12" + suffix


def test_snapshot_bad_overlay_is_422(api: Api) -> None:
    response = api.http.get("/api/sites/gate-a/snapshot.jpg?overlay=maybe")

    assert response.status_code == 422
    assert "overlay" in str(response.json()["detail"])


# -- thresholds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "role"),
    [
        pytest.param("wang.li", Role.SUPERVISOR, id="supervisor"),
        pytest.param("admin", None, id="admin"),
    ],
)
def test_put_thresholds(api: Api, actor: str, role: Role | None) -> None:
    # role None: the fixture's own admin, whose token api.http already sends.
    headers = {} if role is None else bearer(api_token(api.auth, actor, role))
    with api.connect() as client:
        assert recv_envelope(client)["type"] == "snapshot"

        response = api.http.put(
            "/api/sites/gate-a/thresholds", json=VALID_THRESHOLDS, headers=headers
        )

        assert response.status_code == 200
        assert response.json()["metric"] == "count"
        assert [level["name"] for level in response.json()["levels"]] == ["busy", "packed"]
        published = recv_envelope(client)
    assert published["type"] == "thresholds"
    assert published["site_id"] == "gate-a"
    assert published["payload"] == {"thresholds": response.json(), "changed_by": actor}
    site = api.http.get("/api/sites/gate-a").json()
    assert site["thresholds"] == response.json()
    history = api.http.get("/api/sites/gate-a/thresholds/history").json()
    assert len(history) == 1
    assert history[0]["changed_by"] == actor
    assert history[0]["old"] is None
    assert history[0]["new"] == response.json()


def test_thresholds_history_is_newest_first_with_old_and_new(api: Api) -> None:
    first = _thresholds(cooldown_s=1)
    second = _thresholds(cooldown_s=2)
    as_a = bearer(api_token(api.auth, "a", Role.SUPERVISOR))
    as_b = bearer(api_token(api.auth, "b", Role.SUPERVISOR))
    api.http.put("/api/sites/gate-a/thresholds", json=first, headers=as_a)
    api.http.put("/api/sites/gate-a/thresholds", json=second, headers=as_b)

    history = api.http.get("/api/sites/gate-a/thresholds/history").json()
    limited = api.http.get("/api/sites/gate-a/thresholds/history?limit=1").json()

    assert [(h["changed_by"], h["new"]["cooldown_s"]) for h in history] == [("b", 2), ("a", 1)]
    assert history[0]["old"]["cooldown_s"] == 1
    assert history[1]["old"] is None
    assert limited == history[:1]
    assert api.http.get("/api/sites/gate-b/thresholds/history").json() == []


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        pytest.param(_thresholds(extra=1), "extra", "Extra inputs", id="extra-key"),
        pytest.param(
            _thresholds(levels=[_level("busy", 5, 5)]),
            "levels",
            "exit 5 is not below enter 5",
            id="exit-not-below-enter",
        ),
        pytest.param(
            _thresholds(levels=[_level("a", 5, 4), _level("b", 3, 2)]),
            "b",
            "enter 3 is not above level a enter 5",
            id="levels-not-ascending",
        ),
        pytest.param(
            _thresholds(levels=[_level("normal", 5, 4)]),
            "normal",
            "implicit level",
            id="normal-listed",
        ),
        pytest.param(_thresholds(levels=[]), "levels", "at least 1", id="no-levels"),
        pytest.param(
            {k: v for k, v in VALID_THRESHOLDS.items() if k != "levels"},
            "levels",
            "Field required",
            id="levels-missing",
        ),
        pytest.param(_thresholds(metric="loudness"), "metric", "Input should be", id="bad-metric"),
        pytest.param(_thresholds(min_duration_s=-1), "min_duration_s", "greater", id="negative"),
        pytest.param(
            _thresholds(levels=[_level("busy", 5, 4, colour="#fff")]),
            "colour",
            "Extra inputs",
            id="level-extra-key",
        ),
        pytest.param(
            _thresholds(levels=[{**_level("busy", 5, 4), "color": "red"}]),
            "color",
            "pattern",
            id="bad-color",
        ),
    ],
)
def test_put_invalid_thresholds_is_422(
    api: Api, body: dict[str, Any], field: str, reason: str
) -> None:
    response = api.http.put("/api/sites/gate-a/thresholds", json=body)

    assert response.status_code == 422
    errors = response.json()["detail"]
    # Model-wide rules are reported at the body; their message names the level instead.
    assert any(
        (field in map(str, e["loc"]) or field in e["msg"]) and reason in e["msg"] for e in errors
    ), errors
    assert api.http.get("/api/sites/gate-a/thresholds/history").json() == []


def test_put_thresholds_without_body_is_422(api: Api) -> None:
    response = api.http.put("/api/sites/gate-a/thresholds")

    assert response.status_code == 422
    assert response.json()["detail"]


def test_put_thresholds_is_audited_with_old_and_new(api: Api) -> None:
    before = api.http.get("/api/sites/gate-a").json()["thresholds"]

    response = api.http.put("/api/sites/gate-a/thresholds", json=VALID_THRESHOLDS)

    assert response.status_code == 200
    entries = api.http.get("/api/audit?action=thresholds.changed").json()
    assert [(e["actor"], e["target"]) for e in entries] == [("admin", "gate-a")]
    assert entries[0]["detail"] == {"old": before, "new": response.json()}


@pytest.mark.parametrize(
    "query",
    [pytest.param("?limit=0", id="zero"), pytest.param("?limit=1001", id="too-big")],
)
def test_thresholds_history_bad_limit_is_422(api: Api, query: str) -> None:
    response = api.http.get(f"/api/sites/gate-a/thresholds/history{query}")

    assert response.status_code == 422
    assert "limit" in str(response.json()["detail"])
