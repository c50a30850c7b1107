"""Prometheus metrics: what a monitoring system scrapes to see that the monitor itself works.

Collected when scraped, from the same state the API serves (no counters kept on the side,
no global registry): each app gets its own registry with one collector over its services.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import get_args

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from monitor.alerts.turbulence import TURBULENCE_METRIC
from monitor.api.routers.faults import latest_fault_acks
from monitor.api.services import Services
from monitor.bus.messages import FaultKind, SitePublic
from monitor.faults.camera import ack_in_force, camera_fault

PREFIX = "crowd_monitor"
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


def level_rank(site: SitePublic) -> int:
    """0 at normal, 1 at the site's first (lowest) level, and so on."""
    names = [level.name for level in site.thresholds.levels]
    return names.index(site.level) + 1 if site.level in names else 0


class MonitorCollector(Collector):
    def __init__(self, services: Services) -> None:
        self._services = services

    def collect(self) -> Iterator[Metric]:
        yield from self._sites()
        yield from self._webhooks()

    def _sites(self) -> Iterator[Metric]:
        monitor = self._services.monitor
        sites = monitor.sites()
        every_open = monitor.open_alerts()
        open_alerts = Counter(alert.site_id for alert in every_open)
        turbulence_on = {
            alert.site_id
            for alert in every_open
            if alert.metric == TURBULENCE_METRIC and alert.cleared_at is None
        }
        acks = {ack.site_id: ack for ack in latest_fault_acks(self._services.fault_acks)}
        now = time.time()

        def gauge(name: str, doc: str) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"{PREFIX}_{name}", doc, labels=["site"])

        online = gauge("site_online", "1 while the site's camera gives pictures, else 0.")
        since = gauge("site_status_since_seconds", "When the site's status last changed.")
        people = gauge("site_people", "People counted in the site's region, latest reading.")
        mean = gauge("site_mean_density_per_m2", "Mean persons per m² over the region.")
        peak = gauge("site_peak_density_per_m2", "Persons per m² in the densest patch.")
        speed = gauge("site_speed_m_per_s", "Mean ground speed of the region's people.")
        pressure = gauge(
            "site_crowd_pressure_per_s2",
            "Crowd pressure (density x velocity variance) over the last seconds, 1/s².",
        )
        view_shift = gauge(
            "site_view_shift",
            "How far the view is from the site's set-up view: the farthest a frame corner "
            "moved, as a share of the frame's width (while the view is checked and recognised).",
        )
        level = gauge("site_alert_level", "0 at normal, 1 at the site's lowest level, ...")
        analysed = gauge("site_last_analysed_seconds", "When the latest reading was analysed.")
        alerts = gauge("site_open_alerts", "Alerts not yet resolved.")
        turbulence = gauge(
            "site_turbulence_alert",
            "1 while a turbulence alert of the site's is on (its crowd not calm again), else 0.",
        )
        recording = gauge("site_recording_paused", "1 while writing video fails, else 0.")
        fault = GaugeMetricFamily(
            f"{PREFIX}_site_fault",
            "1 for the kind of camera fault the site has now (offline, starting, stalled, "
            "picture), as the live page lists it; 0 for the others.",
            labels=["site", "kind"],
        )
        fault_since = gauge("site_fault_since_seconds", "When the site's camera fault began.")
        unattended = gauge(
            "site_fault_unattended",
            "1 while the site has a camera fault nobody has taken in hand (or whose repair "
            "is overdue), else 0.",
        )
        frames = CounterMetricFamily(
            f"{PREFIX}_site_frames", "Frames the site's camera gave since start.", labels=["site"]
        )
        dropped = CounterMetricFamily(
            f"{PREFIX}_site_recording_dropped_frames",
            "Frames the site's video encoder could not keep up with.",
            labels=["site"],
        )
        for site in sites:
            label = [site.id]
            online.add_metric(label, 1.0 if site.status == "online" else 0.0)
            if site.status_since is not None:
                since.add_metric(label, site.status_since)
            level.add_metric(label, level_rank(site))
            alerts.add_metric(label, open_alerts.get(site.id, 0))
            turbulence.add_metric(label, 1.0 if site.id in turbulence_on else 0.0)
            reading = site.latest
            if reading is not None:
                people.add_metric(label, reading.count)
                mean.add_metric(label, reading.mean_density)
                peak.add_metric(label, reading.peak_density)
                analysed.add_metric(label, reading.analysed_at)
                frames.add_metric(label, reading.seq)
                if reading.motion is not None:
                    speed.add_metric(label, reading.motion.speed_m_s)
                    pressure.add_metric(label, reading.motion.pressure)
                quality = reading.image_quality
                if quality is not None and quality.view_shift is not None:
                    view_shift.add_metric(label, quality.view_shift)
            if site.recording is not None:
                recording.add_metric(label, 1.0 if site.recording.status == "paused" else 0.0)
                dropped.add_metric(label, site.recording.dropped_frames)
            now_fault = camera_fault(site, now)
            for kind in FAULT_KINDS:
                has = now_fault is not None and now_fault.kind == kind
                fault.add_metric([site.id, kind], 1.0 if has else 0.0)
            if now_fault is not None and now_fault.since is not None:
                fault_since.add_metric(label, now_fault.since)
            nobodys = now_fault is not None and not ack_in_force(now_fault, acks.get(site.id), now)
            unattended.add_metric(label, 1.0 if nobodys else 0.0)
        yield from (online, since, people, mean, peak, speed, pressure, view_shift)
        yield from (level, analysed)
        yield from (alerts, turbulence, recording)
        yield from (fault, fault_since, unattended)
        yield from (frames, dropped)

    def _webhooks(self) -> Iterator[Metric]:
        notifications = self._services.notifications
        if notifications is None:
            return
        labels = ["webhook"]
        pending = GaugeMetricFamily(
            f"{PREFIX}_webhook_pending", "Events waiting to be delivered.", labels=labels
        )
        failed = GaugeMetricFamily(
            f"{PREFIX}_webhook_failed", "Events that failed for good (in the log).", labels=labels
        )
        failing = GaugeMetricFamily(
            f"{PREFIX}_webhook_failures_in_row",
            "Attempts failed since the last success.",
            labels=labels,
        )
        tallies = notifications.outbox.tallies()
        for endpoint in notifications.endpoints():
            tally = tallies.get(endpoint.name)
            pending.add_metric([endpoint.name], tally.pending if tally else 0)
            failed.add_metric([endpoint.name], tally.failed if tally else 0)
            failing.add_metric([endpoint.name], endpoint.failures_in_row)
        yield from (pending, failed, failing)


def monitor_registry(services: Services) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(services))
    return registry
