"""Tells the configured webhooks of alerts and camera faults, off the pipeline threads.

One intake thread turns bus messages into rows of the outbox (`Outbox`); one sender thread
per endpoint delivers that endpoint's rows oldest first. A receiver that does not answer
pauses its own endpoint with backoff and holds up nobody else; its events wait in the
outbox, in order, until it answers or they are `give_up_after_s` old.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, TypeAdapter, ValidationError

from monitor.bus.bus import InMemoryBus, ThreadSubscription
from monitor.bus.messages import (
    AlertPayload,
    AlertToldPayload,
    AlertToldPublic,
    FaultAckPayload,
    FaultAckPublic,
    MessageType,
    ReadingPayload,
    SiteStatusPayload,
    WebhookHealthPublic,
    WebhookProblem,
    WebhookStatusPayload,
)
from monitor.config.notify import NotificationKind, NotifyConfig, WebhookConfig
from monitor.faults.camera import CameraFault
from monitor.notify.camera_watch import CameraWatch
from monitor.notify.events import (
    CameraChange,
    Notification,
    SiteRef,
    alert_notification,
    camera_notification,
    fault_ack_notification,
    fault_notification,
    fault_unattended_notification,
    forecast_notification,
    probe_notification,
    repair_overdue_notification,
    turbulence_notification,
    wanted,
)
from monitor.notify.fault_watch import FaultWatch
from monitor.notify.forecast_watch import ForecastWatch
from monitor.notify.outbox import Delivery, DeliveryState, Outbox
from monitor.notify.repair_watch import RepairWatch
from monitor.notify.sender import WebhookSender
from monitor.notify.turbulence_watch import TurbulenceWatch
from monitor.notify.unattended_watch import UnattendedWatch
from monitor.notify.verdict import AttemptResult, RetryPolicy, Verdict, describe, judge

log = logging.getLogger(__name__)

MAX_PENDING = 10_000  # bus messages waiting for the intake thread
POLL_S = 0.5
# How often every site's fault is judged, when someone wants to hear of stalled streams and
# poor pictures: they are judged against the clock, not announced by any message.
FAULT_POLL_S = 1.0
IDLE_WAIT_S = 5.0  # a sender re-reads its queue this often even when nobody wakes it
ERROR_WAIT_S = 2.0  # after the store itself failed
SWEEP_INTERVAL_S = 3600.0
# Alerts whose webhooks' answers the live snapshot remembers (the open ones, and more).
MAX_TOLD_ALERTS = 500


_HTTP_URL = TypeAdapter(AnyHttpUrl)


class WebhookEnvError(ValueError):
    """A webhook names an environment variable that is not set, or holds no usable URL."""


@dataclass(frozen=True, slots=True)
class EndpointStatus:
    name: str
    url: str  # without user info or query string: those may hold keys
    format: str
    events: list[str]
    levels: list[str]
    sites: list[str]
    signed: bool
    failures_in_row: int
    paused_until: float | None
    last_error: str


def _shown_url(url: str, from_env: str | None) -> str:
    """Scheme, host and path; only scheme and host for a URL kept in the environment (a chat
    bot's key is in its path)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    if from_env is not None:
        return f"{parts.scheme}://{host}{port}/… (from ${from_env})"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _address(webhook: WebhookConfig, environ: Mapping[str, str]) -> str:
    if webhook.url is not None:
        return str(webhook.url)
    value = _env_value(webhook, webhook.url_env, environ)
    assert value is not None  # the config holds url or url_env
    try:
        return str(_HTTP_URL.validate_python(value))
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise WebhookEnvError(
            f"notify.webhooks '{webhook.name}': environment variable {webhook.url_env} holds "
            f"no http(s) URL: {reason}"
        ) from None


def _env_value(webhook: WebhookConfig, key: str | None, environ: Mapping[str, str]) -> str | None:
    if key is None:
        return None
    value = environ.get(key)
    if not value:
        raise WebhookEnvError(
            f"notify.webhooks '{webhook.name}': environment variable {key} is not set"
        )
    return value


def _told(
    alert_id: str, delivery: Delivery, state: DeliveryState, at: float, error: str
) -> AlertToldPublic:
    return AlertToldPublic(
        alert_id=alert_id,
        webhook=delivery.webhook,
        kind=delivery.kind,
        state="delivered" if state is DeliveryState.DELIVERED else "failed",
        at=at,
        error=error,
    )


def _told_from_log(delivery: Delivery) -> AlertToldPublic:
    """A settled step as the log keeps it. A step given up on keeps its last attempt's time
    (the log has no give-up time); the page shows no time for a failure anyway."""
    assert delivery.alert_id is not None
    at = delivery.delivered_at or delivery.last_attempt_at or delivery.queued_at
    return _told(delivery.alert_id, delivery, delivery.state, at, delivery.error)


class _Endpoint:
    """One webhook's sender thread and its health."""

    def __init__(
        self,
        config: WebhookConfig,
        url: str,
        sender: WebhookSender,
        outbox: Outbox,
        policy: RetryPolicy,
        give_up_after_s: float,
        clock: Callable[[], float],
        stopping: threading.Event,
        on_health: Callable[[WebhookHealthPublic], None],
        on_settled: Callable[[Delivery, DeliveryState, float, str], None],
    ) -> None:
        self.config = config
        self.url = url
        self.sender = sender
        self._outbox = outbox
        self._policy = policy
        self._give_up_after_s = give_up_after_s
        self._clock = clock
        self._stopping = stopping
        self.wake = threading.Event()
        self._on_health = on_health
        self._on_settled = on_settled
        # The sender thread and an API thread (a test message) both report attempts.
        self._lock = threading.Lock()
        self.failures_in_row = 0
        self.paused_until: float | None = None
        self.last_error = ""
        self.problem: WebhookProblem = ""
        self.problem_since: float | None = None
        self.thread = threading.Thread(target=self._run, name=f"webhook-{config.name}", daemon=True)

    def status(self) -> EndpointStatus:
        return EndpointStatus(
            name=self.config.name,
            url=_shown_url(self.url, self.config.url_env),
            format=str(self.config.format),
            events=[str(e) for e in self.config.events],
            levels=list(self.config.levels),
            sites=list(self.config.sites),
            signed=self.config.secret_env is not None,
            failures_in_row=self.failures_in_row,
            paused_until=self.paused_until,
            last_error=self.last_error,
        )

    def health(self) -> WebhookHealthPublic:
        with self._lock:
            return self._health()

    def _health(self) -> WebhookHealthPublic:
        return WebhookHealthPublic(
            name=self.config.name,
            problem=self.problem,
            since=self.problem_since,
            failures_in_row=self.failures_in_row,
            next_try_at=self.paused_until,
        )

    def note(self, verdict: Verdict, text: str, at: float, retry_after_s: float | None) -> None:
        """Takes one attempt's outcome into the endpoint's health; tells `on_health` when
        the endpoint's problem changes (starts, ends or turns into another)."""
        with self._lock:
            before = self.problem
            if verdict is Verdict.RETRY:
                self.failures_in_row += 1
                self.paused_until = at + self._policy.delay(self.failures_in_row, retry_after_s)
                self.problem = "not_answering"
            else:
                self.failures_in_row = 0
                self.paused_until = None
                self.problem = "refusing" if verdict is Verdict.REJECTED else ""
            self.last_error = text
            if self.problem == before:
                return
            self.problem_since = at if self.problem else None
            health = self._health()
        self._on_health(health)

    def resume(self) -> None:
        """Tries again now rather than after the backoff (an operator asked to)."""
        with self._lock:
            self.paused_until = None
        self.wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                wait = self._step()
            except Exception:
                log.exception("webhook %s: the delivery log failed", self.config.name)
                wait = ERROR_WAIT_S
            if wait > 0:
                self.wake.wait(wait)
                self.wake.clear()

    def _step(self) -> float:
        """Delivers at most one event; returns how long to wait before the next."""
        now = self._clock()
        paused_until = self.paused_until
        if paused_until is not None and now < paused_until:
            return paused_until - now
        delivery = self._outbox.next_pending(self.config.name)
        if delivery is None:
            return IDLE_WAIT_S
        if now - delivery.queued_at > self._give_up_after_s:
            self._give_up(delivery, now)
            return 0
        result = self.sender.send(delivery.key, delivery.body, now)
        self._record(delivery, result)
        return 0

    def _give_up(self, delivery: Delivery, now: float) -> None:
        waited = now - delivery.queued_at
        last = f": last {delivery.error}" if delivery.error else ""
        reason = f"gave up after {delivery.attempts} attempts over {waited:.0f} s{last}"
        log.warning("webhook %s: %s (%s)", self.config.name, reason, delivery.key)
        self._outbox.give_up(delivery.id, reason)
        self._on_settled(delivery, DeliveryState.FAILED, now, reason)

    def _record(self, delivery: Delivery, result: AttemptResult) -> None:
        verdict = judge(result)
        text = describe(result) if verdict is not Verdict.DELIVERED else ""
        state = {
            Verdict.DELIVERED: DeliveryState.DELIVERED,
            Verdict.RETRY: DeliveryState.PENDING,
            Verdict.REJECTED: DeliveryState.FAILED,
        }[verdict]
        at = self._clock()
        self._outbox.record_attempt(delivery.id, at, state, result.status_code, text)
        self.note(verdict, text, at, result.retry_after_s)
        if state is not DeliveryState.PENDING:
            self._on_settled(delivery, state, at, text)
        if verdict is Verdict.RETRY and (
            self.failures_in_row == 1 or self.failures_in_row % 10 == 0
        ):
            log.warning(
                "webhook %s: %s; %d failures in a row, retrying",
                self.config.name,
                text,
                self.failures_in_row,
            )
        elif verdict is Verdict.REJECTED:
            log.warning("webhook %s refused %s: %s", self.config.name, delivery.key, text)


class NotificationService:
    def __init__(
        self,
        config: NotifyConfig,
        outbox: Outbox,
        bus: InMemoryBus,
        site_lookup: Callable[[str], SiteRef | None],
        *,
        environ: Mapping[str, str],
        clock: Callable[[], float] = time.time,
        policy: RetryPolicy | None = None,
        site_faults: Callable[[float], Mapping[str, CameraFault]] = lambda _now: {},
        fault_acks: Callable[[], list[FaultAckPublic]] = list,
    ) -> None:
        """`site_faults`: every site's camera fault at a time (sites without one left out),
        for stalled streams, poor pictures and whether an acknowledged fault is still
        there; `fault_acks`: each site's latest acknowledgement, read at start, so a repair
        promised before a restart is still followed up."""
        self.config = config
        self.outbox = outbox
        self._bus = bus
        self._site_lookup = site_lookup
        self._clock = clock
        self._public_url = str(config.public_url) if config.public_url else None
        self._watch = CameraWatch(config.camera_offline_after_s)
        self._forecasts = ForecastWatch(config.forecast_within_s, config.forecast_cooldown_s)
        self._turbulence = TurbulenceWatch(config.turbulence_cooldown_s)
        self._repairs = RepairWatch()
        self._faults = FaultWatch(config.camera_fault_after_s)
        self._unattended = UnattendedWatch(config.fault_remind_every_s)
        # Each site's latest acknowledgement: whether its fault is still nobody's.
        self._latest_acks: dict[str, FaultAckPublic] = {}
        self._site_faults = site_faults
        self._next_fault_poll = 0.0
        self._fault_acks = fault_acks
        # Readings are many (every analysed frame): heard only when someone wants forecasts
        # or turbulence.
        self._wants_readings = any(
            kind in webhook.events
            for webhook in config.webhooks
            for kind in (NotificationKind.FORECAST, NotificationKind.TURBULENCE)
        )
        self._wants_faults = any(
            kind in webhook.events
            for webhook in config.webhooks
            for kind in (NotificationKind.CAMERA_FAULT, NotificationKind.CAMERA_FAULT_ENDED)
        )
        self._wants_reminders = any(
            NotificationKind.FAULT_UNATTENDED in webhook.events for webhook in config.webhooks
        )
        self._wants_fault_acks = self._wants_reminders or any(
            kind in webhook.events
            for webhook in config.webhooks
            for kind in (NotificationKind.FAULT_ACKNOWLEDGED, NotificationKind.REPAIR_OVERDUE)
        )
        self._stopping = threading.Event()
        self._subscription: ThreadSubscription | None = None
        self._intake: threading.Thread | None = None
        self._next_sweep = 0.0
        # Per alert, per webhook, the latest step settled: the live page's "told" lines.
        self._told: collections.OrderedDict[str, dict[str, AlertToldPublic]] = (
            collections.OrderedDict()
        )
        self._told_lock = threading.Lock()
        for delivery in outbox.latest_alert_steps(MAX_TOLD_ALERTS):
            self._remember_told(_told_from_log(delivery))
        policy = policy or RetryPolicy()
        # Every secret is looked up now: a missing one stops the start, not a 3 a.m. alert.
        self._endpoints: dict[str, _Endpoint] = {}
        for webhook in config.webhooks:
            url = _address(webhook, environ)
            sender = WebhookSender(
                url,
                webhook.timeout_s,
                _env_value(webhook, webhook.secret_env, environ),
                _env_value(webhook, webhook.authorization_env, environ),
                webhook.format,
            )
            self._endpoints[webhook.name] = _Endpoint(
                webhook,
                url,
                sender,
                outbox,
                policy,
                config.give_up_after_s,
                clock,
                self._stopping,
                self._publish_health,
                self._settled,
            )

    def start(self) -> None:
        if not self._endpoints:
            return  # nobody to tell: no threads
        types = {MessageType.ALERT, MessageType.SITE_STATUS}
        if self._wants_readings:
            types.add(MessageType.READING)
        if self._wants_fault_acks:
            types.add(MessageType.FAULT_ACK)
            # Promises made before a restart; one already reminded of is not sent twice
            # (the outbox keeps one delivery per event).
            for ack in self._fault_acks():
                self._repairs.acknowledged(ack)
                self._latest_acks[ack.site_id] = ack
        self._subscription = self._bus.subscribe(maxsize=MAX_PENDING, types=frozenset(types))
        self._intake = threading.Thread(target=self._run, name="notify-intake", daemon=True)
        self._intake.start()
        for endpoint in self._endpoints.values():
            endpoint.thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Queues what the bus still holds, then stops the senders (pending rows stay)."""
        self._stopping.set()
        if self._intake is not None:
            self._intake.join(timeout)
        if self._subscription is not None:
            self._bus.unsubscribe(self._subscription)
            self._drain(self._subscription)
            self._subscription = None
        for endpoint in self._endpoints.values():
            endpoint.wake.set()
        for endpoint in self._endpoints.values():
            if endpoint.thread.is_alive():
                endpoint.thread.join(timeout)
            endpoint.sender.close()

    # What the API asks

    def endpoints(self) -> list[EndpointStatus]:
        return [endpoint.status() for endpoint in self._endpoints.values()]

    def health(self) -> list[WebhookHealthPublic]:
        """Every webhook's health, for the live page's snapshot."""
        return [endpoint.health() for endpoint in self._endpoints.values()]

    def told(self) -> list[AlertToldPublic]:
        """Recent alerts' webhooks, the latest settled step of each, for the live snapshot."""
        with self._told_lock:
            return [told for by_webhook in self._told.values() for told in by_webhook.values()]

    def _settled(self, delivery: Delivery, state: DeliveryState, at: float, error: str) -> None:
        if delivery.alert_id is None:
            return
        told = _told(delivery.alert_id, delivery, state, at, error)
        self._remember_told(told)
        self._bus.publish(MessageType.ALERT_TOLD, delivery.site_id, AlertToldPayload(told=told))

    def _remember_told(self, told: AlertToldPublic) -> None:
        with self._told_lock:
            self._told.setdefault(told.alert_id, {})[told.webhook] = told
            self._told.move_to_end(told.alert_id)
            while len(self._told) > MAX_TOLD_ALERTS:
                self._told.popitem(last=False)

    def _publish_health(self, health: WebhookHealthPublic) -> None:
        self._bus.publish(MessageType.WEBHOOK_STATUS, None, WebhookStatusPayload(webhook=health))

    def has_endpoint(self, name: str) -> bool:
        return name in self._endpoints

    def send_test(self, name: str, actor: str) -> Delivery:
        """Sends a test event now, past the queue and any backoff, and logs how it went."""
        endpoint = self._endpoints[name]
        now = self._clock()
        notification = probe_notification(name, now, actor)
        result = endpoint.sender.send(notification.key, notification.body, now)
        verdict = judge(result)
        state = DeliveryState.DELIVERED if verdict is Verdict.DELIVERED else DeliveryState.FAILED
        text = "" if verdict is Verdict.DELIVERED else describe(result)
        at = self._clock()
        # Logged once sent: a pending row would be the sender thread's to send as well.
        delivery_id = self.outbox.record_sent(
            name, notification, at, state, result.status_code, text
        )
        # What the test found is the endpoint's health too: one that answers again gets
        # what waits for it now, not after its backoff.
        endpoint.note(verdict, text, at, result.retry_after_s)
        endpoint.wake.set()
        found = self.outbox.delivery(delivery_id)
        assert found is not None
        return found

    def retry(self, delivery_id: int) -> Delivery:
        """Queues a failed delivery again (raises KeyError, NotDeliverable)."""
        delivery = self.outbox.requeue(delivery_id, self._clock())
        endpoint = self._endpoints.get(delivery.webhook)
        if endpoint is not None:
            endpoint.resume()
        return delivery

    # The intake thread

    def _run(self) -> None:
        subscription = self._subscription
        assert subscription is not None
        while not self._stopping.is_set():
            now = self._clock()
            polls = (self._watch.next_due(), self._repairs.next_due(), self._fault_poll_due())
            dues = [t for t in polls if t is not None]
            timeout = POLL_S if not dues else min(POLL_S, max(0.0, min(dues) - now))
            item = subscription.get(timeout=timeout)
            try:
                # Everything published by now is taken first: a camera that came back while
                # this thread was behind must not be announced as still down.
                checked_at = self._clock()
                while item is not None:
                    self._take(item.site_id, item.ts, item.payload)
                    item = subscription.get(timeout=0)
                for site_id, change in self._watch.due(checked_at):
                    self._queue(self._camera(site_id, change, checked_at))
                self._judge_faults(checked_at)
                self._sweep()
            except Exception:
                log.exception("queueing a notification failed")
                self._stopping.wait(ERROR_WAIT_S)
        if subscription.overflowed:
            log.warning("notifications fell behind; %d events lost", subscription.dropped)

    def _polls_faults(self) -> bool:
        return self._wants_faults or self._wants_reminders

    def _fault_poll_due(self) -> float | None:
        return self._next_fault_poll if self._polls_faults() else None

    def _judge_faults(self, now: float) -> None:
        """Stalled streams and poor pictures that lasted or ended, faults still nobody's, and
        repairs overdue; the sites' faults are asked for only when one of them needs them."""
        repairs_due = self._repairs.next_due()
        polling = self._polls_faults() and now >= self._next_fault_poll
        if not polling and (repairs_due is None or repairs_due > now):
            return
        faults = self._site_faults(now)
        if polling:
            self._next_fault_poll = now + FAULT_POLL_S
            for site_id, change in self._faults.observe(faults, now):
                site = self._site_lookup(site_id)
                self._queue(fault_notification(site_id, change, now, site, self._public_url))
            if self._wants_reminders:
                for site_id, reminder in self._unattended.observe(faults, self._latest_acks, now):
                    site = self._site_lookup(site_id)
                    self._queue(
                        fault_unattended_notification(
                            site_id, reminder, now, site, self._public_url
                        )
                    )
        for ack in self._repairs.due(now, faults.get):
            site = self._site_lookup(ack.site_id)
            self._queue(repair_overdue_notification(ack, now, site, self._public_url))

    def _drain(self, subscription: ThreadSubscription) -> None:
        while (item := subscription.get(timeout=0)) is not None:
            try:
                self._take(item.site_id, item.ts, item.payload)
            except Exception:
                log.exception("queueing a notification failed at stop")

    def _take(self, site_id: str | None, at: float, payload: object) -> None:
        if isinstance(payload, AlertPayload):
            site = self._site_lookup(payload.alert.site_id)
            self._queue(alert_notification(payload, site, self._public_url))
        elif isinstance(payload, ReadingPayload) and site_id is not None:
            forecast = self._forecasts.observe(
                site_id, payload.level, payload.trend, payload.captured_at
            )
            if forecast is not None:
                site = self._site_lookup(site_id)
                self._queue(
                    forecast_notification(
                        site_id, forecast, payload.captured_at, site, self._public_url
                    )
                )
            turbulence = self._turbulence.observe(site_id, payload)
            if turbulence is not None:
                site = self._site_lookup(site_id)
                self._queue(
                    turbulence_notification(
                        site_id, turbulence, payload.captured_at, site, self._public_url
                    )
                )
        elif isinstance(payload, FaultAckPayload):
            ack = payload.ack
            self._repairs.acknowledged(ack)
            self._latest_acks[ack.site_id] = ack
            site = self._site_lookup(ack.site_id)
            self._queue(fault_ack_notification(ack, site, self._public_url))
        elif isinstance(payload, SiteStatusPayload) and site_id is not None:
            for changed_site, change in self._watch.observe(
                site_id, payload.status, payload.reason, at
            ):
                self._queue(self._camera(changed_site, change, at))

    def _camera(self, site_id: str, change: CameraChange, at: float) -> Notification:
        return camera_notification(
            site_id, change, at, self._site_lookup(site_id), self._public_url
        )

    def _queue(self, notification: Notification) -> None:
        now = self._clock()
        for name, endpoint in self._endpoints.items():
            queued = wanted(endpoint.config, notification) and (
                self.outbox.enqueue(name, notification, now) is not None
            )
            if queued:
                endpoint.wake.set()

    def _sweep(self) -> None:
        now = self._clock()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_INTERVAL_S
        deleted = self.outbox.delete_before(now - self.config.keep_days * 86_400)
        if deleted:
            log.info("deleted %d old notification log rows", deleted)
