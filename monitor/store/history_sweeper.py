"""Deletes old stored readings on a timer, as the `history` section says (see
monitor/store/history_plan.py for which)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Protocol

from monitor.alerts.model import Alert
from monitor.config.history import HistoryConfig
from monitor.store.history_plan import TimeRange, alert_keep_range, ranges_to_delete

log = logging.getLogger(__name__)

# Every alert of a site is read to keep its readings; a site with more has bigger problems.
MAX_ALERTS_PER_SITE = 1_000_000


class HistoryStore(Protocol):
    def alerts(self, state: str | None, site_id: str | None, limit: int) -> list[Alert]: ...

    def delete_readings(
        self, site_id: str, start: float | None, end: float, *, batch: int = ...
    ) -> int: ...

    def status_site_ids(self) -> list[str]: ...


# (site_id or None for every site, start, end) of each pinned range.
PinnedRanges = Callable[[], Iterable[tuple[str | None, float, float]]]


class HistorySweeper:
    """Runs `sweep` every `config.sweep_interval_s` on a thread of its own, first at start,
    over the configured sites and any the status log knows that are no longer configured."""

    def __init__(
        self,
        store: HistoryStore,
        config: HistoryConfig,
        site_ids: Iterable[str],
        pins: PinnedRanges,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._config = config
        self._site_ids = list(site_ids)
        self._pins = pins
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="history-sweeper", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> bool:
        """Ends the thread (a sweep under way stops between deletes); True once it has."""
        self._stop.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def sweep(self, now: float | None = None) -> int:
        """Deletes what the history section no longer keeps; returns how many readings.
        A stop asked for meanwhile ends it between two deletes."""
        at = self._clock() if now is None else now
        pins = list(self._pins())
        # A site taken out of the config keeps no readings for ever: the status log knows
        # every site that ran.
        known = set(self._site_ids)
        former = sorted(set(self._store.status_site_ids()) - known)
        deleted = 0
        for site_id in [*self._site_ids, *former]:
            if self._stop.is_set():
                break
            deleted += self._sweep_site(site_id, at, pins)
        if deleted:
            log.info("history: deleted %d readings", deleted)
        return deleted

    def _sweep_site(
        self, site_id: str, at: float, pins: list[tuple[str | None, float, float]]
    ) -> int:
        config = self._config
        alert_cutoff = at - config.alert_readings_max_age_h * 3600
        keep = [
            TimeRange(start, end) for pin_site, start, end in pins if pin_site in (None, site_id)
        ]
        for alert in self._store.alerts(None, site_id, MAX_ALERTS_PER_SITE):
            ended = alert.cleared_at if alert.cleared_at is not None else alert.resolved_at
            kept = alert_keep_range(alert.raised_at, ended, at, config.alert_margin_s)
            if kept.end >= alert_cutoff:
                keep.append(kept)
        deleted = 0
        for doomed in ranges_to_delete(at - config.readings_max_age_h * 3600, keep):
            if self._stop.is_set():
                break
            deleted += self._store.delete_readings(site_id, doomed.start, doomed.end)
        return deleted

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sweep()
            except Exception:
                log.exception("history sweep failed; trying again next time")
            if self._stop.wait(self._config.sweep_interval_s):
                return
