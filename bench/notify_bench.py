"""Webhook benchmark: how fast alert events reach a receiver, and how fast a backlog drains
once a receiver that was down answers again.

    python -m bench.notify_bench [--events 300] [--pg URL]

The real notification service (bus subscriber, outbox in a real store, one sender thread per
endpoint, signed requests over HTTP) delivers to a local HTTP server that answers at once.
A burst of `--events` alert steps is published at once, as a crowded evening with every
site alerting might; latency is from publish to the receiver reading the request. Then the
receiver refuses everything (503) while another burst queues, and the drain rate is timed
from when it answers again.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy.engine import URL

from bench.health_bench import pg_schema
from monitor.alerts.model import Alert, AlertEvent, AlertEventKind, AlertState
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import alert_event_public, alert_public
from monitor.bus.messages import AlertPayload, MessageType
from monitor.config.notify import NotifyConfig
from monitor.notify.events import SiteRef
from monitor.notify.outbox import DeliveryState, Outbox
from monitor.notify.service import NotificationService
from monitor.notify.verdict import RetryPolicy
from monitor.store.engine import create_store_engine

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SITE = SiteRef(id="bench", name_en="Bench Square", name_zh="", lat=28.2, lon=112.9)
TIMEOUT_S = 120.0


class Receiver(ThreadingHTTPServer):
    """Notes when each event id arrived; answers `status`."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = 200
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status = self.server.status
        if status == 200:
            with self.server.lock:
                self.server.arrived.setdefault(self.headers["webhook-id"], time.perf_counter())
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def receiving() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def payload(n: int) -> AlertPayload:
    alert = Alert(
        id=f"al-{n}",
        site_id=SITE.id,
        metric="peak_density",
        level="high",
        peak_level="high",
        peak_value=4.5,
        state=AlertState.OPEN,
        raised_at=1000.0 + n,
        updated_at=1000.0 + n,
    )
    event = AlertEvent(f"ev-{n}", alert.id, SITE.id, AlertEventKind.RAISED, "high", 4.5, 1000.0 + n)
    return AlertPayload(alert=alert_public(alert), event=alert_event_public(event))


def wait_for(check: object, what: str) -> None:
    assert callable(check)
    deadline = time.monotonic() + TIMEOUT_S
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.002)


SINGLE_EVENTS = 20
SINGLE_GAP_S = 0.05


def run(url: str | URL, events: int) -> tuple[list[float], float, list[float], float]:
    """Latencies of single events (s), burst events/s, per-event latencies in the burst (s),
    backlog drain events/s."""
    engine = create_store_engine(url)
    bus = InMemoryBus()
    with receiving() as receiver:
        config = NotifyConfig.model_validate(
            {"webhooks": [{"name": "desk", "url": receiver.url, "secret_env": "S"}]}
        )
        service = NotificationService(
            config,
            Outbox(engine),
            bus,
            lambda _site: SITE,
            environ={"S": SECRET},
            # Short pauses, so the drain is timed from the receiver's return, not a backoff.
            policy=RetryPolicy(initial_s=0.01, max_s=0.05),
        )
        service.start()
        try:
            # One at a time, as a quiet evening's alerts come: the latency an operator sees.
            singles = []
            for n in range(SINGLE_EVENTS):
                sent = time.perf_counter()
                bus.publish(MessageType.ALERT, SITE.id, payload(-1 - n))
                wait_for(lambda n=n: f"alert-event-ev-{-1 - n}" in receiver.arrived, "one")
                singles.append(receiver.arrived[f"alert-event-ev-{-1 - n}"] - sent)
                time.sleep(SINGLE_GAP_S)
            published: dict[str, float] = {}
            began = time.perf_counter()
            for n in range(events):
                published[f"alert-event-ev-{n}"] = time.perf_counter()
                bus.publish(MessageType.ALERT, SITE.id, payload(n))
            wait_for(lambda: len(receiver.arrived) >= SINGLE_EVENTS + events, "the burst")
            burst_s = max(receiver.arrived.values()) - began
            latencies = [receiver.arrived[key] - at for key, at in published.items()]

            receiver.status = 503
            for n in range(events, 2 * events):
                bus.publish(MessageType.ALERT, SITE.id, payload(n))
            pending = DeliveryState.PENDING
            wait_for(
                lambda: len(service.outbox.deliveries(state=pending, limit=10_000)) >= events,
                "the backlog",
            )
            receiver.status = 200
            returned = time.perf_counter()
            wait_for(lambda: len(receiver.arrived) >= SINGLE_EVENTS + 2 * events, "the drain")
            drain_s = max(receiver.arrived.values()) - returned
        finally:
            service.stop()
            engine.dispose()
    return singles, events / burst_s, latencies, events / drain_s


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--pg", help="also with the outbox on this PostgreSQL server")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="notify-bench-") as tmp:
        places: list[tuple[str, contextlib.AbstractContextManager[str | URL]]]
        places = [("SQLite", contextlib.nullcontext(f"sqlite:///{Path(tmp) / 'notify.db'}"))]
        if args.pg:
            places.append(("PostgreSQL", pg_schema(args.pg)))
        for name, place in places:
            with place as url:
                rows.append((name, *run(url, args.events)))
    print(
        f"one signed webhook: {SINGLE_EVENTS} single alert events, then {args.events} at once, "
        f"then {args.events} queued while the receiver refuses"
    )
    print(
        "| outbox | single event ms p50 | max | burst events/s | burst latency ms p50 | p95 "
        "| max | backlog drain events/s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, singles, rate, latencies, drain in rows:
        one = [1000 * s for s in singles]
        ms = [1000 * s for s in latencies]
        print(
            f"| {name} | {statistics.median(one):,.1f} | {max(one):,.1f} | {rate:,.0f} "
            f"| {statistics.median(ms):,.0f} | {percentile(ms, 95):,.0f} | {max(ms):,.0f} "
            f"| {drain:,.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
