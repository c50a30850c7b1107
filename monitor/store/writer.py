"""Writes readings to the store in batches, off the pipeline threads."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from typing import Protocol

from monitor.store.base import StoredReading

log = logging.getLogger(__name__)


class ReadingSink(Protocol):
    def add_readings(self, readings: list[StoredReading]) -> None: ...


# Put in the queue to wake the thread for stop(); never written.
_WAKE = None


class ReadingWriter:
    """A thread draining a bounded queue of readings into `sink.add_readings`.

    Pipelines must never wait on the database, so `submit` never blocks: when the queue
    is full the reading is dropped and counted. A failing write is logged, counted and
    skipped; the thread carries on with the next batch.
    """

    def __init__(
        self,
        sink: ReadingSink,
        *,
        max_queue: int = 10_000,
        batch_size: int = 500,
        flush_interval_s: float = 0.5,
        stop_event: threading.Event | None = None,
    ) -> None:
        if max_queue < 1 or batch_size < 1 or flush_interval_s <= 0:
            raise ValueError("max_queue, batch_size and flush_interval_s must be positive")
        self._sink = sink
        self._queue: queue.Queue[StoredReading | None] = queue.Queue(maxsize=max_queue)
        self._batch_size = batch_size
        self._flush_interval_s = flush_interval_s
        self._stop = stop_event if stop_event is not None else threading.Event()
        self._thread = threading.Thread(target=self._run, name="reading-writer", daemon=True)
        self._counts_lock = threading.Lock()
        self._written = 0
        self._dropped = 0
        self._failed = 0
        self._failing = False

    @property
    def written(self) -> int:
        """Readings stored."""
        with self._counts_lock:
            return self._written

    @property
    def dropped(self) -> int:
        """Readings refused by `submit`: queue full, or the writer stopping."""
        with self._counts_lock:
            return self._dropped

    @property
    def failed(self) -> int:
        """Readings lost in writes that raised."""
        with self._counts_lock:
            return self._failed

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._thread.start()

    def submit(self, reading: StoredReading) -> bool:
        """Queues the reading; False when it was dropped instead."""
        if not self._stop.is_set():
            try:
                self._queue.put_nowait(reading)
            except queue.Full:
                pass
            else:
                return True
        with self._counts_lock:
            self._dropped += 1
        return False

    def stop(self, timeout: float) -> bool:
        """Writes what is queued, then ends the thread; False if it is still busy at `timeout`."""
        self._stop.set()
        # When full, the thread has readings to take, so it is not asleep on the queue.
        with contextlib.suppress(queue.Full):
            self._queue.put_nowait(_WAKE)
        if self._thread.ident is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                return False
        # Readings submitted while the thread drained, or all of them if it never started.
        self._drain()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            batch = self._next_batch()
            if batch:
                self._write(batch)
        self._drain()

    def _next_batch(self) -> list[StoredReading]:
        """Waits for a first reading, then gathers more until the batch is full or due."""
        try:
            first = self._queue.get(timeout=self._flush_interval_s)
        except queue.Empty:
            return []
        if first is _WAKE:
            return []
        batch = [first]
        due = time.monotonic() + self._flush_interval_s
        while len(batch) < self._batch_size:
            remaining = due - time.monotonic()
            if remaining <= 0:
                break
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                break
            if item is _WAKE:
                break
            batch.append(item)
        return batch

    def _drain(self) -> None:
        batch: list[StoredReading] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _WAKE:
                batch.append(item)
            if len(batch) >= self._batch_size:
                self._write(batch)
                batch = []
        if batch:
            self._write(batch)

    def _write(self, batch: list[StoredReading]) -> None:
        try:
            self._sink.add_readings(batch)
        except Exception:
            with self._counts_lock:
                self._failed += len(batch)
            # One traceback per outage, not one per batch every half second.
            if not self._failing:
                log.exception("writing %d readings failed; dropping them", len(batch))
            else:
                log.debug("writing %d readings failed again; dropping them", len(batch))
            self._failing = True
            return
        if self._failing:
            log.warning("writing readings works again")
            self._failing = False
        with self._counts_lock:
            self._written += len(batch)
