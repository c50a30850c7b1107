"""Keeps every change of a site's status in the store, off the pipeline threads.

Operators reviewing a night ask why a camera showed nothing: was it offline, and for what
reason, or was the monitor itself not running? The live loop only publishes the status;
this records it. `starting` for every site when the monitor starts, each change the sites
publish (at the time they published it), and `stopped` for every site when it stops. A run
that ended without its `stopped` (a crash, a power cut) gets one when the next run starts,
at its last sign of life, so that time reads as the monitor down rather than unexplained.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from monitor.bus.bus import InMemoryBus, ThreadSubscription
from monitor.bus.messages import MessageType, SiteStatusPayload
from monitor.quality.outages import RecordedStatus, StatusChange

log = logging.getLogger(__name__)

# Status changes are rare; a queue this long only fills if the store is down for hours.
MAX_PENDING = 10_000
POLL_S = 0.2


# The reason given for a stop the monitor did not record itself.
UNCLEAN_STOP = "no clean stop: the monitor crashed, was killed or lost power"


class StatusSink(Protocol):
    def record_status(
        self, site_ids: list[str], at: float, status: RecordedStatus, reason: str
    ) -> None: ...

    def status_history(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StatusChange]: ...

    def readings(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> Sequence[HasCaptureTime]: ...


class HasCaptureTime(Protocol):
    @property
    def captured_at(self) -> float: ...


class StatusRecorder:
    """Subscribes to the sites' status messages and appends each change to `sink`.

    A failing write is logged and the change dropped; the live loop never waits on it.
    """

    def __init__(
        self,
        sink: StatusSink,
        bus: InMemoryBus,
        site_ids: Iterable[str],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sink = sink
        self._bus = bus
        self._site_ids = list(site_ids)
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscription: ThreadSubscription | None = None
        # The last (status, reason) recorded per site, to record changes only.
        self._last: dict[str, tuple[str, str]] = {}

    def start(self) -> None:
        """Subscribes first, so no change published after the `starting` rows is missed."""
        self._subscription = self._bus.subscribe(
            maxsize=MAX_PENDING, types=frozenset({MessageType.SITE_STATUS})
        )
        now = self._clock()
        self._close_unclean_stops(now)
        self._write(self._site_ids, now, "starting", "")
        self._thread = threading.Thread(target=self._run, name="status-recorder", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Records what is pending, then `stopped` for every site seen. Call after the
        pipelines have stopped, so no change comes after it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        subscription = self._subscription
        if subscription is not None:
            self._bus.unsubscribe(subscription)
            self._drain(subscription)
            self._subscription = None
            sites = [*self._site_ids, *(s for s in self._last if s not in self._site_ids)]
            self._write(sites, self._clock(), "stopped", "")

    def _close_unclean_stops(self, now: float) -> None:
        """A last run that ended without `stopped` crashed (or lost power). It stopped after
        its last sign of life: the latest status change or stored reading of any site (one
        camera may have been offline for hours while the others ran on)."""
        unclosed: dict[str, float] = {}
        last_seen = 0.0
        try:
            for site_id in self._site_ids:
                last = self._sink.status_history(site_id, None, None, 1)
                readings = self._sink.readings(site_id, None, None, 1)
                last_seen = max(
                    [last_seen, *(c.at for c in last), *(r.captured_at for r in readings)]
                )
                if last and last[0].status != "stopped":
                    unclosed[site_id] = last[0].at
        except Exception:
            log.exception("reading the last run's statuses failed; its end stays unknown")
            return
        for site_id, changed_at in unclosed.items():
            # Not after now: a source's own clock (replayed footage) may run ahead.
            ended = min(now, max(last_seen, changed_at))
            log.warning(
                "site %s: the last run ended without a clean stop, at about %.3f", site_id, ended
            )
            self._write([site_id], ended, "stopped", UNCLEAN_STOP)

    def _run(self) -> None:
        subscription = self._subscription
        assert subscription is not None
        while not self._stop.is_set():
            item = subscription.get(timeout=POLL_S)
            if item is not None:
                self._take(item.site_id, item.ts, item.payload)
        if subscription.overflowed:
            log.warning("status recorder fell behind; %d changes lost", subscription.dropped)

    def _drain(self, subscription: ThreadSubscription) -> None:
        while (item := subscription.get(timeout=0)) is not None:
            self._take(item.site_id, item.ts, item.payload)

    def _take(self, site_id: str | None, at: float, payload: object) -> None:
        if site_id is None or not isinstance(payload, SiteStatusPayload):
            return
        last = self._last.get(site_id)
        # An outage's reason is worth a row each time it changes (the camera answered, then
        # the stream broke); the other statuses' are only what the source is doing.
        same = last is not None and last[0] == payload.status
        if same and (payload.status != "offline" or last == (payload.status, payload.reason)):
            return
        self._write([site_id], at, payload.status, payload.reason)

    def _write(self, site_ids: list[str], at: float, status: RecordedStatus, reason: str) -> None:
        try:
            self._sink.record_status(site_ids, at, status, reason)
        except Exception:
            log.exception("recording %s for %s failed; dropping it", status, ", ".join(site_ids))
            return
        for site_id in site_ids:
            self._last[site_id] = (status, reason)
