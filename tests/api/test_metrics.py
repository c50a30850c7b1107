"""GET /metrics on the real application: a pushed crowd raises an alert, a webhook takes it,
and Prometheus's own parser reads what the monitor says of itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.auth.roles import Role
from monitor.motion.measure import Motion
from tests.support.api_harness import ApiFactory
from tests.support.notify_app import NotifyApp, notify_app

SITE = {"site": "wuyi-square"}
DESK = {"webhook": "desk"}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[NotifyApp]:
    with notify_app(tmp_path) as harness:
        yield harness


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(api: NotifyApp) -> Samples:
    response = api.http.get("/metrics", headers=api.as_role(Role.VIEWER))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float | None:
    return found.get((f"crowd_monitor_{name}", tuple(sorted(labels.items()))))


def scrape_until(api: NotifyApp, check: Callable[[Samples], bool]) -> Samples:
    deadline = time.monotonic() + 20
    while not check(found := scrape(api)):
        assert time.monotonic() < deadline, f"timed out; last scrape {found}"
        time.sleep(0.2)
    return found


def test_the_metrics_follow_the_crowd_the_alert_and_the_webhook(api: NotifyApp) -> None:
    api.crowd.people = 5  # the level is entered at 4
    found = scrape_until(
        api,
        lambda m: (
            value(m, "site_open_alerts", **SITE) == 1
            and bool(api.receiver.requests)  # the raise reached the desk
            and value(m, "webhook_pending", **DESK) == 0
        ),
    )
    assert value(found, "site_online", **SITE) == 1
    assert value(found, "site_people", **SITE) == 5
    assert value(found, "site_alert_level", **SITE) == 1
    assert value(found, "site_open_alerts", **SITE) == 1
    assert value(found, "site_turbulence_alert", **SITE) == 0
    assert (value(found, "site_frames_total", **SITE) or 0) > 0
    analysed = value(found, "site_last_analysed_seconds", **SITE)
    assert analysed == pytest.approx(time.time(), abs=10)
    assert value(found, "webhook_failed", **DESK) == 0
    assert value(found, "webhook_failures_in_row", **DESK) == 0
    # The pushed crowd stands still: measured, and neither moving nor pushed about.
    found = scrape_until(api, lambda m: value(m, "site_speed_m_per_s", **SITE) is not None)
    assert value(found, "site_speed_m_per_s", **SITE) == pytest.approx(0.0, abs=0.05)
    assert value(found, "site_crowd_pressure_per_s2", **SITE) == 0

    api.sources.by_site["wuyi-square"].report("offline", "cannot open rtsp://cam/1")
    found = scrape_until(api, lambda m: value(m, "site_online", **SITE) == 0)
    since = value(found, "site_status_since_seconds", **SITE)
    assert since == pytest.approx(time.time(), abs=10)


def test_metrics_need_a_login(api: NotifyApp) -> None:
    anonymous = httpx.get(api.server.url("/metrics"))
    assert anonymous.status_code == 401


def test_a_camera_fault_is_exported_until_someone_takes_it_in_hand(api: NotifyApp) -> None:
    def fault_kinds(found: Samples) -> dict[str, float | None]:
        return {
            kind: value(found, "site_fault", kind=kind, **SITE)
            for kind in ("offline", "starting", "stalled", "picture")
        }

    api.crowd.people = 1
    found = scrape_until(api, lambda m: value(m, "site_people", **SITE) == 1)
    assert fault_kinds(found) == {"offline": 0, "starting": 0, "stalled": 0, "picture": 0}
    assert value(found, "site_fault_unattended", **SITE) == 0
    assert value(found, "site_fault_since_seconds", **SITE) is None

    api.sources.by_site["wuyi-square"].report("offline", "cannot open rtsp://cam/1")
    found = scrape_until(api, lambda m: value(m, "site_fault", kind="offline", **SITE) == 1)
    assert fault_kinds(found) == {"offline": 1, "starting": 0, "stalled": 0, "picture": 0}
    assert value(found, "site_fault_unattended", **SITE) == 1
    since = value(found, "site_fault_since_seconds", **SITE)
    assert since == value(found, "site_status_since_seconds", **SITE)

    taken = api.http.post(
        "/api/sites/wuyi-square/fault-ack",
        json={"kind": "offline", "since": since, "note": "ticket 4711"},
    )
    assert taken.status_code == 200, taken.text
    found = scrape(api)
    assert value(found, "site_fault", kind="offline", **SITE) == 1
    assert value(found, "site_fault_unattended", **SITE) == 0


def test_a_turbulence_alert_on_is_exported_until_its_crowd_is_calm(make_api: ApiFactory) -> None:
    api = make_api()
    gate = {"site": "gate-a"}

    def scraped() -> Samples:
        response = api.http.get("/metrics")
        assert response.status_code == 200, response.text
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    turbulent = Motion(speed_m_s=1.1, pressure=0.05, turbulent=True)
    calm = Motion(speed_m_s=0.4, pressure=0.001, turbulent=False)
    now = time.time()
    # Turbulent for the default 10 s hold, then calm as long (the in-test monitor runs the
    # site's turbulence engine as the runtime does).
    api.monitor.observe("gate-a", 1, now, 1.0, motion=turbulent)
    assert value(scraped(), "site_turbulence_alert", **gate) == 0
    api.monitor.observe("gate-a", 2, now + 10, 1.0, motion=turbulent)
    found = scraped()
    assert value(found, "site_turbulence_alert", **gate) == 1
    assert value(found, "site_turbulence_alert", site="gate-b") == 0
    assert value(found, "site_alert_level", **gate) == 0  # no density alert
    api.monitor.observe("gate-a", 3, now + 11, 1.0, motion=calm)
    api.monitor.observe("gate-a", 4, now + 21, 1.0, motion=calm)
    found = scraped()
    assert value(found, "site_turbulence_alert", **gate) == 0
    assert value(found, "site_open_alerts", **gate) == 1  # cleared, still to be resolved
