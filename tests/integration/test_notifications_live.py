"""Alerts and camera outages of the real pipeline reach a real webhook receiver, signed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from tests.support.notify_app import SECRET, NotifyApp, notify_app


@pytest.fixture
def live(tmp_path: Path) -> Iterator[NotifyApp]:
    with notify_app(tmp_path, public_url="https://crowd.example") as harness:
        yield harness


def test_a_crowd_alert_and_a_dead_camera_reach_the_desk(live: NotifyApp) -> None:
    live.crowd.people = 6
    [raised] = live.receiver.wait_for(1)
    body = Webhook(SECRET).verify(raised.body, raised.headers)
    assert body["type"] == "raised"
    assert body["alert"]["level"] == "elevated"
    assert body["site"]["name_en"] == "Wuyi Square"
    # The site's clock and unit come from its config, as it runs.
    assert (body["site"]["timezone"], body["site"]["metric"]) == ("Asia/Shanghai", "count")
    assert " Wuyi Square: alert raised, level elevated (" in body["summary"]
    assert " people; peak elevated)" in body["summary"]
    assert body["url"] == f"https://crowd.example/#alert={body['alert']['id']}"
    live.crowd.people = 0
    cleared = live.receiver.wait_for(2)[1]
    assert cleared.json["type"] == "cleared"
    assert cleared.json["alert"]["id"] == body["alert"]["id"]

    live.crowd.stop()
    live.sources.by_site["wuyi-square"].report("offline", "stream ended")
    down = live.receiver.wait_for(3)[2]
    assert down.json["type"] == "camera_offline"
    assert down.json["camera"]["reason"] == "stream ended"
    live.sources.by_site["wuyi-square"].report("online", "")
    back = live.receiver.wait_for(4)[3]
    assert back.json["type"] == "camera_online"

    # Every one of them is in the delivery log, delivered.
    log = live.http.get("/api/notifications/deliveries").json()
    assert [d["kind"] for d in log] == ["camera_online", "camera_offline", "cleared", "raised"]
    assert {d["state"] for d in log} == {"delivered"}


def test_a_covered_lens_reaches_the_desk_and_so_does_its_end(tmp_path: Path) -> None:
    """The real pipeline judges the picture; the desk hears of a fault only the server can
    see (the camera itself still streams), and of its end."""
    with notify_app(
        tmp_path,
        events=["camera_fault", "camera_fault_ended", "camera_offline"],
        # Only a blank picture is flagged: the squares' hard edges would read as blocks.
        site={"image_quality": {"enabled": True, "detail_limit": 0, "blocking_limit": 10}},
        camera_fault_after_s=0.5,
    ) as live:
        live.crowd.people = 0  # a flat black board: nothing to see, as behind a covered lens
        [covered] = live.receiver.wait_for(1)
        body = Webhook(SECRET).verify(covered.body, covered.headers)
        assert body["type"] == "camera_fault"
        assert body["fault"]["state"] == "began"
        assert (body["fault"]["kind"], body["fault"]["severity"]) == ("picture", "bad")
        assert body["fault"]["issues"] == ["blank"]
        assert body["fault"]["lasted_s"] >= 0.5
        assert " Wuyi Square: picture blank (lens covered?) for " in body["summary"]
        assert body["summary"].endswith(" min: no count")
        site = live.http.get("/api/sites/wuyi-square").json()
        assert body["fault"]["since"] == site["picture_since"]

        live.crowd.people = 6  # uncovered: a scene again
        ended = live.receiver.wait_for(2)[1]
        assert ended.json["type"] == "camera_fault_ended"
        assert ended.json["fault"]["since"] == body["fault"]["since"]
        assert ended.json["fault"]["fault_now"] is None
        assert " Wuyi Square: picture blank (lens covered?) over after " in ended.json["summary"]
