"""Assembles the service from config and settings: store, bus, estimator, runtime, API.

Nothing starts at construction; `start()` brings the parts up in dependency order and
`stop()` takes them down in reverse, so tests and the CLI share one wiring.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from monitor.api.app import create_app
from monitor.api.services import Services
from monitor.audit.log import AuditLog
from monitor.auth.accounts import Accounts
from monitor.auth.bootstrap import ensure_admin
from monitor.auth.service import AuthService
from monitor.bus.bus import InMemoryBus
from monitor.bus.convert import fault_ack_public
from monitor.config.app import AppConfig
from monitor.config.settings import Settings
from monitor.config.site import SiteConfig
from monitor.density.base import DensityEstimator
from monitor.density.registry import build_estimator
from monitor.faults.camera import CameraFault, camera_fault
from monitor.ingest.samples import resolver
from monitor.ingest.source import FrameSource
from monitor.notify.events import SiteRef
from monitor.notify.outbox import Outbox
from monitor.notify.service import NotificationService
from monitor.pipeline.ports import Source, SourceFactory, StatusCallback
from monitor.pipeline.runtime import Runtime
from monitor.pipeline.service import UnknownSite
from monitor.pipeline.status_recorder import StatusRecorder
from monitor.recording.encoder import Opener, open_file
from monitor.recording.service import FrameTaps, RecordingService
from monitor.store.count_samples import CountSamples
from monitor.store.count_scales import CountScales
from monitor.store.factory import open_store
from monitor.store.fault_acks import FaultAcks
from monitor.store.history_sweeper import HistorySweeper
from monitor.store.site_overrides import SiteOverrides
from monitor.store.sql import SqlStore
from monitor.store.view_references import ViewReferences
from monitor.store.writer import ReadingWriter

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[1] / "web"


def frame_source_factory(sample_cache: Path, taps: FrameTaps | None = None) -> SourceFactory:
    samples = resolver(sample_cache)

    def make(site: SiteConfig, on_status: StatusCallback) -> Source:
        on_frame = taps.listener(site.id) if taps is not None else None
        return FrameSource.for_site(site, on_status=on_status, on_frame=on_frame, samples=samples)

    return make


@dataclass
class Application:
    config: AppConfig
    settings: Settings
    estimator: DensityEstimator
    source_factory: SourceFactory
    bus: InMemoryBus = field(default_factory=InMemoryBus)
    web_dir: Path | None = WEB_DIR
    store: SqlStore | None = None
    writer: ReadingWriter | None = None
    runtime: Runtime | None = None
    status_recorder: StatusRecorder | None = None
    history: HistorySweeper | None = None
    auth: AuthService | None = None
    audit: AuditLog | None = None
    # Every captured frame reaches the site's recorder through its tap (see frame_source_factory).
    frame_taps: FrameTaps = field(default_factory=FrameTaps)
    recording: RecordingService | None = None
    recording_opener: Opener = open_file  # how segment files are opened: a seam for disk faults
    notifications: NotificationService | None = None
    fault_acks: FaultAcks | None = None
    # Where webhook secrets are looked up (notify.webhooks[].secret_env).
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def start(self) -> FastAPI:
        """Brings everything up and returns the ASGI app that serves it."""
        self.store = open_store(self.settings.database_url, self.settings.data_dir)
        # First: a webhook secret missing from the environment stops the start here, with
        # only the store to close.
        try:
            fault_acks = self.fault_acks = FaultAcks(self.store.engine)
            self.notifications = NotificationService(
                self.config.notify,
                Outbox(self.store.engine),
                self.bus,
                self._site_ref,
                environ=self.environ,
                site_faults=self.site_faults,
                fault_acks=lambda: [fault_ack_public(ack) for ack in fault_acks.latest()],
            )
        except Exception:
            self.store.close()
            self.store = None
            raise
        self.writer = ReadingWriter(self.store)
        self.writer.start()
        # Before the runtime: it must see every alert the runtime raises or restores.
        self.recording = RecordingService(
            self.config,
            self.settings.data_dir,
            self.store.engine,
            self.bus,
            self.frame_taps,
            opener=self.recording_opener,
        )
        self.recording.start(
            {a.site_id: a.raised_at for a in self.store.open_alerts() if a.cleared_at is None}
        )
        self.runtime = Runtime(
            self.config,
            self.estimator,
            self.source_factory,
            self.bus,
            self.store,
            self.writer,
            recording=self.recording.status,
            site_overrides=SiteOverrides(self.store.engine),
            view_references=ViewReferences(self.store.engine),
        )
        # Before the runtime starts: restored alerts and first outages must find it listening.
        self.notifications.start()
        recording = self.recording
        self.history = HistorySweeper(
            self.store,
            self.config.history,
            [site.id for site in self.config.sites],
            lambda: [(pin.site_id, pin.start, pin.end) for pin in recording.index.pins()],
        )
        self.history.start()
        # Before the runtime starts: the sites' first changes must find it subscribed.
        self.status_recorder = StatusRecorder(
            self.store, self.bus, [site.id for site in self.config.sites]
        )
        self.status_recorder.start()
        self.runtime.start()
        self.auth = auth = AuthService(
            Accounts(self.store.engine), session_ttl_s=self.settings.session_ttl_s
        )
        self.audit = audit = AuditLog(self.store.engine)
        admin_password = self.settings.admin_password
        ensure_admin(
            auth,
            admin_password.get_secret_value() if admin_password else None,
            lambda line: print(line, flush=True),
        )
        web_dir = self.web_dir if self.web_dir is not None and self.web_dir.is_dir() else None
        return create_app(
            Services(
                monitor=self.runtime,
                store=self.store,
                bus=self.bus,
                map=self.config.map,
                web_dir=web_dir,
                auth=auth,
                audit=audit,
                recordings=self.recording,
                notifications=self.notifications,
                fault_acks=self.fault_acks,
                count_samples=CountSamples(self.store.engine),
                count_scales=CountScales(self.store.engine),
            )
        )

    def site_faults(self, now: float) -> dict[str, CameraFault]:
        """Every site's camera fault at `now`, as the live page would list it."""
        if self.runtime is None:
            return {}
        faults = ((site.id, camera_fault(site, now)) for site in self.runtime.sites())
        return {site_id: fault for site_id, fault in faults if fault is not None}

    def _site_ref(self, site_id: str) -> SiteRef | None:
        if self.runtime is None:
            return None
        try:
            site = self.runtime.site(site_id)
            config = self.runtime.site_config(site_id)
        except UnknownSite:
            return None  # retired since: the event still goes, named by its id
        return SiteRef(
            id=site.id,
            name_en=site.name_en,
            name_zh=site.name_zh,
            lat=site.lat,
            lon=site.lon,
            timezone=config.timezone,
            metric=str(config.thresholds.metric),
        )

    def stop(self, timeout: float = 5.0) -> None:
        if self.runtime is not None:
            self.runtime.stop(timeout)
        if self.status_recorder is not None:
            self.status_recorder.stop(timeout)
        if self.notifications is not None:
            self.notifications.stop(timeout)
        if self.history is not None:
            self.history.stop(timeout)
        if self.recording is not None:
            self.recording.stop(timeout)
        if self.writer is not None:
            self.writer.stop(timeout)
        if self.store is not None:
            self.store.close()


def build_application(
    config: AppConfig,
    settings: Settings,
    *,
    estimator: DensityEstimator | None = None,
    source_factory: SourceFactory | None = None,
) -> Application:
    taps = FrameTaps()
    return Application(
        config=config,
        settings=settings,
        estimator=estimator or build_estimator(config.estimator),
        source_factory=source_factory or frame_source_factory(settings.sample_cache, taps),
        frame_taps=taps,
    )
