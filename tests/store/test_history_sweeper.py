"""The history sweeper on a real store: which readings a sweep leaves."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable

import pytest

from monitor.alerts.model import AlertEventKind, AlertUpdate
from monitor.config.history import HistoryConfig
from monitor.store.history_sweeper import HistorySweeper
from monitor.store.sql import SqlStore
from tests.store.builders import event, raised, reading

HOUR = 3600.0
DAY = 24 * HOUR
NOW = 1_800_000_000.0
CONFIG = HistoryConfig(readings_max_age_h=24, alert_readings_max_age_h=24 * 30, alert_margin_s=600)


def hourly(store: SqlStore, site_id: str, days: float) -> None:
    """A reading every hour on the hour for the last `days`, up to NOW."""
    count = int(days * 24)
    store.add_readings(
        [
            reading(k, site_id=site_id, captured_at=NOW - (count - k) * HOUR)
            for k in range(count + 1)
        ]
    )


def ages_h(store: SqlStore, site_id: str) -> list[float]:
    """Hours before NOW of each reading left, oldest first."""
    return [(NOW - r.captured_at) / HOUR for r in store.readings(site_id, None, None, 100_000)]


def cleared(update: AlertUpdate, at: float) -> AlertUpdate:
    alert = dataclasses.replace(update.alert, cleared_at=at, updated_at=at)
    return AlertUpdate(alert, event(alert, AlertEventKind.CLEARED, at, 0.5))


def sweeper(
    store: SqlStore, pins: Iterable[tuple[str | None, float, float]] = ()
) -> HistorySweeper:
    pinned = list(pins)
    return HistorySweeper(store, CONFIG, ["gate-a", "gate-b"], lambda: pinned, clock=lambda: NOW)


def test_old_readings_go_and_the_last_day_stays(store: SqlStore) -> None:
    hourly(store, "gate-a", days=3)
    hourly(store, "gate-b", days=1.5)

    deleted = sweeper(store).sweep()

    assert ages_h(store, "gate-a") == [float(h) for h in range(24, -1, -1)]
    assert ages_h(store, "gate-b") == [float(h) for h in range(24, -1, -1)]
    assert deleted == (72 - 24) + (36 - 24)


def test_the_readings_around_an_alert_stay_for_its_own_age(store: SqlStore) -> None:
    hourly(store, "gate-a", days=40)
    # Raised 5 days ago and cleared an hour later: its readings, with 10 min either side.
    recent = raised("recent", at=NOW - 5 * DAY)
    store.save_alert_update(recent)
    store.save_alert_update(cleared(recent, NOW - 5 * DAY + HOUR))
    # Cleared 35 days ago: past the alert age, its readings go like any others.
    ancient = raised("ancient", at=NOW - 35 * DAY)
    store.save_alert_update(ancient)
    store.save_alert_update(cleared(ancient, NOW - 35 * DAY + HOUR))
    # On gate-b: keeps nothing of gate-a's.
    store.save_alert_update(raised("elsewhere", site_id="gate-b", at=NOW - 10 * DAY))

    sweeper(store).sweep()

    assert ages_h(store, "gate-a") == [120.0, 119.0] + [float(h) for h in range(24, -1, -1)]


def test_an_open_alert_keeps_everything_since_it_was_raised(store: SqlStore) -> None:
    hourly(store, "gate-a", days=3)
    store.save_alert_update(raised("open", at=NOW - 48 * HOUR))

    sweeper(store).sweep()

    # From 10 min before it was raised: the reading 48 h ago, and all after.
    assert ages_h(store, "gate-a") == [float(h) for h in range(48, -1, -1)]


@pytest.mark.parametrize(
    ("pin_site", "kept_on_a"),
    [
        pytest.param("gate-a", [50.0, 49.0, 48.0], id="this-sites-pin"),
        pytest.param(None, [50.0, 49.0, 48.0], id="a-pin-of-every-site"),
        pytest.param("gate-b", [], id="another-sites-pin"),
    ],
)
def test_pinned_readings_are_never_deleted(
    store: SqlStore, pin_site: str | None, kept_on_a: list[float]
) -> None:
    hourly(store, "gate-a", days=3)

    sweeper(store, [(pin_site, NOW - 50 * HOUR, NOW - 48 * HOUR)]).sweep()

    assert ages_h(store, "gate-a") == kept_on_a + [float(h) for h in range(24, -1, -1)]


def test_a_site_no_longer_configured_is_swept_too(store: SqlStore) -> None:
    hourly(store, "gate-old", days=2)
    store.record_status(["gate-old"], NOW - 40 * DAY, "starting", "")
    hourly(store, "never-ran", days=2)  # unknown to the status log: left alone

    sweeper(store).sweep()

    assert ages_h(store, "gate-old") == [float(h) for h in range(24, -1, -1)]
    assert len(ages_h(store, "never-ran")) == 49


def test_it_sweeps_at_start_and_stops_cleanly(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    hourly(store, "gate-a", days=2)
    running = sweeper(store)
    with caplog.at_level(logging.INFO, logger="monitor.store.history_sweeper"):
        running.start()
        deadline = time.monotonic() + 5
        # Its log line: the whole first sweep is done, not only gate-a's delete.
        while "history: deleted" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.02)
        stopped = running.stop(timeout=5)

    assert stopped
    assert len(ages_h(store, "gate-a")) == 25
    assert "history: deleted 24 readings" in caplog.text
