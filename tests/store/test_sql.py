from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy.engine import URL

from monitor.alerts.model import AlertEventKind, AlertState, AlertUpdate
from monitor.quality.assess import FrameQuality
from monitor.quality.verdict import QualityIssue, QualityVerdict
from monitor.store.base import Store, StoredReading, ThresholdChange
from monitor.store.sql import SqlStore
from tests.store.builders import T0, event, lifecycle, raised, reading, thresholds


def test_sql_store_satisfies_the_protocol(store: SqlStore) -> None:
    # The real check is mypy's, on this assignment.
    as_protocol: Store = store
    assert as_protocol is store


# Readings: round trip and range


def test_readings_round_trip_exactly(store: SqlStore) -> None:
    awkward = dataclasses.replace(
        reading(1),
        captured_at=T0 + 1.000000123456789,
        analysed_at=T0 + 1.987654321,
        count=0.1 + 0.2,
        mean_density=1e-300,
        peak_density=12345.678901234567,
        grid=[[None, None], [5e-324, 1.7976931348623157e308], [-0.0, 2 / 3]],
    )
    assessed = dataclasses.replace(
        reading(2),
        quality=QualityVerdict(
            issues=(QualityIssue.NOISE, QualityIssue.BLOCKING),
            median=FrameQuality(noise=6.25, detail=0.875, blocking=1.5, spread=42.0),
        ),
    )
    stored = [reading(0), awkward, assessed]

    store.add_readings(stored)

    assert store.readings("gate-a", None, None, limit=10) == stored


def test_adding_no_readings_is_a_no_op(store: SqlStore) -> None:
    store.add_readings([])

    assert store.readings("gate-a", None, None, limit=10) == []


@pytest.mark.parametrize(
    ("since", "until", "limit", "expected_seqs"),
    [
        pytest.param(None, None, 100, list(range(10)), id="everything"),
        pytest.param(T0 + 3, None, 100, list(range(3, 10)), id="since-is-inclusive"),
        pytest.param(None, T0 + 3, 100, [0, 1, 2, 3], id="until-is-inclusive"),
        pytest.param(T0 + 2, T0 + 5, 100, [2, 3, 4, 5], id="window"),
        pytest.param(None, None, 3, [7, 8, 9], id="limit-keeps-the-latest"),
        pytest.param(T0 + 2, T0 + 6, 2, [5, 6], id="limit-keeps-the-latest-in-window"),
        pytest.param(None, None, 10, list(range(10)), id="limit-equal-to-matches"),
        pytest.param(None, None, 0, [], id="limit-zero"),
        pytest.param(T0 + 20, None, 100, [], id="nothing-in-range"),
    ],
)
def test_readings_range_and_limit(
    store: SqlStore, since: float | None, until: float | None, limit: int, expected_seqs: list[int]
) -> None:
    # Inserted out of order and mixed with another site, which must not show up.
    seqs = [5, 0, 9, 3, 1, 8, 2, 7, 4, 6]
    store.add_readings([reading(s) for s in seqs])
    store.add_readings([reading(s, site_id="gate-b") for s in range(10)])

    got = store.readings("gate-a", since, until, limit)

    assert [r.seq for r in got] == expected_seqs
    assert {r.site_id for r in got} <= {"gate-a"}


def test_readings_at_the_same_instant_come_in_insertion_order(store: SqlStore) -> None:
    store.add_readings([reading(s, captured_at=T0) for s in (3, 1, 2)])

    assert [r.seq for r in store.readings("gate-a", T0, T0, limit=2)] == [1, 2]


# Readings: the picture of each, for camera health


def _with_issues(
    seq: int, issues: tuple[QualityIssue, ...] | None, captured_at: float | None = None
) -> StoredReading:
    verdict = None
    if issues is not None:
        median = FrameQuality(noise=1.0, detail=1.0, blocking=1.0, spread=40.0)
        verdict = QualityVerdict(issues=issues, median=median)
    return dataclasses.replace(reading(seq, captured_at=captured_at), quality=verdict)


@pytest.mark.parametrize(
    "chunk_s",
    [
        pytest.param(0.5, id="chunks-shorter-than-the-readings-interval"),
        pytest.param(2.0, id="a-chunk-edge-at-a-shared-instant"),
        pytest.param(5.0, id="a-chunk-edge-at-until"),
        pytest.param(3600.0, id="one-chunk"),
    ],
)
def test_picture_marks_come_in_time_order(store: SqlStore, chunk_s: float) -> None:
    # Four readings share one instant: each comes once, in the order they were stored.
    shared = [_with_issues(s, (QualityIssue.NOISE,), captured_at=T0 + 2) for s in (20, 21, 22, 23)]
    others = [_with_issues(0, ()), _with_issues(1, None), _with_issues(5, (QualityIssue.BLANK,))]
    store.add_readings([others[2], *shared, others[0], others[1]])
    store.add_readings([reading(s, site_id="gate-b") for s in range(9)])

    marks = list(store.picture_marks("gate-a", T0, T0 + 5, chunk_s=chunk_s))

    assert [(m.at - T0, m.issues) for m in marks] == [
        (0, ()),
        (1, None),
        *[(2, (QualityIssue.NOISE,))] * 4,
        (5, (QualityIssue.BLANK,)),
    ]


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        pytest.param(T0 + 1, T0 + 3, [1, 2, 3], id="both-ends-inclusive"),
        pytest.param(T0 + 20, T0 + 30, [], id="nothing-in-range"),
    ],
)
def test_picture_marks_within_a_range(
    store: SqlStore, since: float, until: float, expected: list[int]
) -> None:
    store.add_readings([_with_issues(s, ()) for s in range(6)])

    marks = store.picture_marks("gate-a", since, until, chunk_s=1.5)

    assert [m.at - T0 for m in marks] == expected


def test_picture_marks_refuse_an_empty_chunk(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="chunk_s"):
        next(store.picture_marks("gate-a", T0, T0 + 1, chunk_s=0.0))


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda s: s.readings("gate-a", None, None, -1), id="readings"),
        pytest.param(lambda s: s.alerts(None, None, -1), id="alerts"),
        pytest.param(lambda s: s.threshold_changes("gate-a", -1), id="threshold-changes"),
    ],
)
def test_negative_limit_is_rejected(store: SqlStore, call: object) -> None:
    with pytest.raises(ValueError, match="limit"):
        call(store)  # type: ignore[operator]


# Alerts


def test_alert_lifecycle_upserts_the_alert_and_appends_events(store: SqlStore) -> None:
    updates = lifecycle("a1")

    for update in updates:
        store.save_alert_update(update)
        assert store.alert("a1") == update.alert

    assert store.alert_events("a1") == [u.event for u in updates]
    assert [e.kind for e in store.alert_events("a1")] == [
        AlertEventKind.RAISED,
        AlertEventKind.ESCALATED,
        AlertEventKind.ACKNOWLEDGED,
        AlertEventKind.RESOLVED,
    ]


def test_open_alerts_leave_out_resolved_ones(store: SqlStore) -> None:
    first, escalated, acknowledged, resolved = lifecycle("a1")
    other = raised("a2", site_id="gate-b", at=T0 + 5)
    store.save_alert_update(first)
    store.save_alert_update(other)
    store.save_alert_update(escalated)
    store.save_alert_update(acknowledged)

    assert store.open_alerts() == [acknowledged.alert, other.alert]

    store.save_alert_update(resolved)

    assert store.open_alerts() == [other.alert]


def test_events_at_the_same_instant_keep_their_order(store: SqlStore) -> None:
    first = raised("a1")
    alert = dataclasses.replace(first.alert, level="critical")
    escalated = AlertUpdate(alert, event(alert, AlertEventKind.ESCALATED, T0, 6.0))
    store.save_alert_update(first)
    store.save_alert_update(escalated)

    assert store.alert_events("a1") == [first.event, escalated.event]


def test_saving_the_same_update_twice_stores_one_event(store: SqlStore) -> None:
    update = raised("a1")
    store.save_alert_update(update)
    store.save_alert_update(update)

    assert store.alert_events("a1") == [update.event]


def test_a_failing_event_insert_rolls_back_the_alert(store: SqlStore) -> None:
    update = raised("a1")
    # NOT NULL violation on the event, after the alert upsert in the same transaction.
    broken = AlertUpdate(update.alert, dataclasses.replace(update.event, note=None))  # type: ignore[arg-type]

    with pytest.raises(Exception, match=r"(?i)null"):
        store.save_alert_update(broken)

    assert store.alert("a1") is None
    assert store.alert_events("a1") == []


def test_an_event_of_another_alert_is_rejected(store: SqlStore) -> None:
    update = raised("a1")
    mismatched = AlertUpdate(update.alert, dataclasses.replace(update.event, alert_id="a2"))

    with pytest.raises(ValueError, match="a2"):
        store.save_alert_update(mismatched)


def test_unknown_alert_is_none(store: SqlStore) -> None:
    assert store.alert("nope") is None
    assert store.alert_events("nope") == []


@pytest.mark.parametrize(
    ("state", "site_id", "limit", "expected_ids"),
    [
        pytest.param(None, None, 10, ["a4", "a3", "a2", "a1"], id="all-newest-first"),
        pytest.param(None, None, 2, ["a4", "a3"], id="limit-keeps-the-newest"),
        pytest.param("open", None, 10, ["a4", "a2"], id="open"),
        pytest.param(AlertState.RESOLVED, None, 10, ["a3", "a1"], id="resolved-as-enum"),
        pytest.param(None, "gate-b", 10, ["a4", "a3"], id="site"),
        pytest.param("open", "gate-b", 10, ["a4"], id="state-and-site"),
        pytest.param("acknowledged", None, 10, [], id="no-match"),
    ],
)
def test_alerts_filter_and_order(
    store: SqlStore, state: str | None, site_id: str | None, limit: int, expected_ids: list[str]
) -> None:
    for n, site in [(1, "gate-a"), (2, "gate-a"), (3, "gate-b"), (4, "gate-b")]:
        update = raised(f"a{n}", site_id=site, at=T0 + n)
        store.save_alert_update(update)
        if n % 2:
            resolved = dataclasses.replace(
                update.alert, state=AlertState.RESOLVED, resolved_at=T0 + n + 0.5
            )
            store.save_alert_update(
                AlertUpdate(resolved, event(resolved, AlertEventKind.RESOLVED, T0 + n + 0.5, 0.0))
            )

    assert [a.id for a in store.alerts(state, site_id, limit)] == expected_ids


# Thresholds


def test_threshold_history_and_current_survive_a_restart(store_url: URL) -> None:
    first = ThresholdChange("gate-a", T0, "config", None, thresholds(2.0))
    second = ThresholdChange("gate-a", T0 + 60, "op-1", thresholds(2.0), thresholds(2.5))
    other = ThresholdChange("gate-b", T0 + 30, "op-2", None, thresholds(1.5))
    before = SqlStore(store_url)
    try:
        for change in (first, other, second):
            before.record_threshold_change(change)
        before.add_readings([reading(0)])
        before.save_alert_update(raised("a1"))
    finally:
        before.close()

    after = SqlStore(store_url)
    try:
        assert after.current_thresholds() == {"gate-a": thresholds(2.5), "gate-b": thresholds(1.5)}
        assert after.threshold_changes("gate-a", limit=10) == [second, first]
        assert after.readings("gate-a", None, None, limit=10) == [reading(0)]
        assert after.open_alerts() == [raised("a1").alert]
    finally:
        after.close()


@pytest.mark.parametrize(
    ("site_id", "limit", "expected_by"),
    [
        pytest.param("gate-a", 10, ["op-3", "op-2", "op-1"], id="newest-first"),
        pytest.param("gate-a", 2, ["op-3", "op-2"], id="limit-keeps-the-newest"),
        pytest.param("gate-z", 10, [], id="unknown-site"),
    ],
)
def test_threshold_changes_order_and_limit(
    store: SqlStore, site_id: str, limit: int, expected_by: list[str]
) -> None:
    for n in (1, 2, 3):
        store.record_threshold_change(
            ThresholdChange("gate-a", T0 + n, f"op-{n}", thresholds(n), thresholds(n + 1))
        )

    assert [c.changed_by for c in store.threshold_changes(site_id, limit)] == expected_by


def test_no_threshold_changes_means_no_current_thresholds(store: SqlStore) -> None:
    assert store.current_thresholds() == {}


# Threads and lifetime


def test_concurrent_writers_lose_nothing(store: SqlStore) -> None:
    threads_n, batches, batch_size = 4, 15, 5
    start = threading.Barrier(threads_n, timeout=30)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            start.wait()
            site = f"site-{worker}"
            for b in range(batches):
                store.add_readings(
                    [reading(b * batch_size + i, site_id=site) for i in range(batch_size)]
                )
                store.save_alert_update(raised(f"{site}-{b}", site_id=site, at=T0 + b))
                store.readings(site, None, None, limit=5)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    for worker in range(threads_n):
        got = store.readings(f"site-{worker}", None, None, limit=10_000)
        assert [r.seq for r in got] == list(range(batches * batch_size))
    assert len(store.open_alerts()) == threads_n * batches


def test_a_closed_store_refuses_calls(store_url: URL) -> None:
    closed = SqlStore(store_url)
    closed.close()
    closed.close()  # idempotent

    with pytest.raises(RuntimeError, match="closed"):
        closed.readings("gate-a", None, None, limit=1)
