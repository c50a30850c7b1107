from __future__ import annotations

import json

import pytest
from sqlalchemy.engine import Engine

from monitor.notify.events import Notification
from monitor.notify.outbox import DeliveryState, NotDeliverable, Outbox


def event(key: str, at: float = 100.0, site: str | None = "wuyi-square") -> Notification:
    return Notification(key, "raised", site, "high", at, json.dumps({"id": key}))


def test_an_event_is_queued_once_per_endpoint(engine: Engine) -> None:
    outbox = Outbox(engine)
    first = outbox.enqueue("desk", event("a"), now=101.0)
    assert first is not None
    assert outbox.enqueue("desk", event("a"), now=102.0) is None  # a repeat: dropped
    assert outbox.enqueue("pager", event("a"), now=102.0) not in (None, first)
    queued = outbox.delivery(first)
    assert queued is not None
    assert (queued.state, queued.attempts, queued.queued_at, queued.body) == (
        DeliveryState.PENDING,
        0,
        101.0,
        '{"id": "a"}',
    )


def test_pending_deliveries_go_oldest_first_and_per_endpoint(engine: Engine) -> None:
    outbox = Outbox(engine)
    a = outbox.enqueue("desk", event("a"), 1.0)
    b = outbox.enqueue("desk", event("b"), 2.0)
    outbox.enqueue("pager", event("c"), 0.5)
    assert a is not None
    assert b is not None
    first = outbox.next_pending("desk")
    assert first is not None
    assert first.key == "a"
    outbox.record_attempt(a, 3.0, DeliveryState.DELIVERED, 200, "")
    second = outbox.next_pending("desk")
    assert second is not None
    assert second.key == "b"
    outbox.record_attempt(b, 4.0, DeliveryState.PENDING, 503, "HTTP 503")
    still = outbox.next_pending("desk")
    assert still is not None
    assert (still.key, still.attempts, still.status_code, still.error) == ("b", 1, 503, "HTTP 503")
    outbox.record_attempt(b, 9.0, DeliveryState.FAILED, 400, "HTTP 400")
    assert outbox.next_pending("desk") is None
    delivered = outbox.delivery(a)
    assert delivered is not None
    assert delivered.delivered_at == 3.0


def test_a_failed_delivery_can_be_queued_again_and_only_a_failed_one(engine: Engine) -> None:
    outbox = Outbox(engine)
    a = outbox.enqueue("desk", event("a"), 1.0)
    assert a is not None
    with pytest.raises(NotDeliverable, match="is pending, not failed"):
        outbox.requeue(a, 5.0)
    outbox.give_up(a, "gave up after 3 attempts")
    gone = outbox.delivery(a)
    assert gone is not None
    assert (gone.state, gone.error) == (DeliveryState.FAILED, "gave up after 3 attempts")
    again = outbox.requeue(a, 50.0)
    assert (again.state, again.queued_at) == (DeliveryState.PENDING, 50.0)
    with pytest.raises(KeyError):
        outbox.requeue(999, 50.0)


def test_the_log_filters_and_tallies(engine: Engine) -> None:
    outbox = Outbox(engine)
    ids = [
        outbox.enqueue("desk", event(k, site=s), 1.0)
        for k, s in [("a", "x"), ("b", "y"), ("c", None)]
    ]
    outbox.enqueue("pager", event("a", site="x"), 1.0)
    assert ids[0] is not None
    assert ids[1] is not None
    outbox.record_attempt(ids[0], 2.0, DeliveryState.DELIVERED, 200, "")
    outbox.record_attempt(ids[1], 3.0, DeliveryState.FAILED, 404, "HTTP 404")
    assert [d.key for d in outbox.deliveries()] == ["a", "c", "b", "a"]
    assert [d.key for d in outbox.deliveries(webhook="desk")] == ["c", "b", "a"]
    assert [d.key for d in outbox.deliveries(state=DeliveryState.FAILED)] == ["b"]
    assert [d.key for d in outbox.deliveries(site_id="x", limit=1)] == ["a"]
    tallies = outbox.tallies()
    assert (tallies["desk"].pending, tallies["desk"].failed, tallies["desk"].delivered) == (1, 1, 1)
    assert tallies["desk"].last_delivered_at == 2.0
    assert (tallies["pager"].pending, tallies["pager"].last_delivered_at) == (1, None)
    with pytest.raises(ValueError, match="limit"):
        outbox.deliveries(limit=0)


def test_old_entries_are_swept_but_never_pending_ones(engine: Engine) -> None:
    outbox = Outbox(engine)
    old_done = outbox.enqueue("desk", event("a", at=10.0), 10.0)
    old_waiting = outbox.enqueue("desk", event("b", at=10.0), 10.0)
    recent = outbox.enqueue("desk", event("c", at=500.0), 500.0)
    assert old_done is not None
    outbox.record_attempt(old_done, 11.0, DeliveryState.DELIVERED, 200, "")
    assert outbox.delete_before(100.0) == 1
    assert {d.id for d in outbox.deliveries()} == {old_waiting, recent}


def test_a_second_outbox_on_the_same_database_sees_the_queue(engine: Engine) -> None:
    Outbox(engine).enqueue("desk", event("a"), 1.0)
    again = Outbox(engine).next_pending("desk")  # a restarted monitor
    assert again is not None
    assert again.key == "a"


def test_an_event_sent_past_the_queue_is_logged_done_and_never_pending(engine: Engine) -> None:
    outbox = Outbox(engine)
    sent = outbox.record_sent("desk", event("t1"), 5.0, DeliveryState.DELIVERED, 204, "")
    refused = outbox.record_sent("desk", event("t2"), 6.0, DeliveryState.FAILED, 401, "HTTP 401")
    assert outbox.next_pending("desk") is None
    done = outbox.delivery(sent)
    assert done is not None
    assert (done.state, done.attempts, done.delivered_at, done.status_code) == (
        DeliveryState.DELIVERED,
        1,
        5.0,
        204,
    )
    failed = outbox.delivery(refused)
    assert failed is not None
    assert (failed.state, failed.delivered_at, failed.error) == (
        DeliveryState.FAILED,
        None,
        "HTTP 401",
    )
    with pytest.raises(ValueError, match="delivered or failed"):
        outbox.record_sent("desk", event("t3"), 7.0, DeliveryState.PENDING, None, "")
    with pytest.raises(ValueError, match="already logged"):
        outbox.record_sent("desk", event("t1"), 8.0, DeliveryState.DELIVERED, 200, "")


def step(key: str, alert_id: str) -> Notification:
    return Notification(key, "raised", "wuyi-square", "high", 100.0, "{}", alert_id=alert_id)


def test_the_latest_settled_step_of_each_recent_alert_is_read_back(engine: Engine) -> None:
    outbox = Outbox(engine)

    def settle(webhook: str, key: str, alert_id: str, state: DeliveryState, at: float) -> None:
        found = outbox.enqueue(webhook, step(key, alert_id), at)
        assert found is not None
        if state is not DeliveryState.PENDING:
            outbox.record_attempt(found, at, state, 200, "")

    settle("desk", "a-raised", "a", DeliveryState.DELIVERED, 1.0)
    settle("desk", "a-cleared", "a", DeliveryState.FAILED, 2.0)
    settle("pager", "a-raised", "a", DeliveryState.DELIVERED, 3.0)
    settle("desk", "b-raised", "b", DeliveryState.DELIVERED, 4.0)
    settle("desk", "b-escalated", "b", DeliveryState.PENDING, 5.0)  # not settled: not told
    settle("desk", "c-raised", "c", DeliveryState.DELIVERED, 6.0)
    outbox.enqueue("desk", event("camera-offline"), 7.0)  # not an alert's step

    steps = [(d.webhook, d.key) for d in outbox.latest_alert_steps(10)]
    assert steps == [
        ("desk", "a-cleared"),
        ("pager", "a-raised"),
        ("desk", "b-raised"),
        ("desk", "c-raised"),
    ]
    # Only the alerts with the newest settled steps are kept (a's were queued before b's).
    assert [(d.webhook, d.key) for d in outbox.latest_alert_steps(2)] == [
        ("desk", "b-raised"),
        ("desk", "c-raised"),
    ]
    with pytest.raises(ValueError, match="at least 1"):
        outbox.latest_alert_steps(0)
