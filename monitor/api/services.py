"""What the API is built from: the running monitor and the services around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.audit.log import AuditLog
from monitor.auth.service import AuthService
from monitor.bus.bus import InMemoryBus
from monitor.config.app import MapConfig
from monitor.notify.service import NotificationService
from monitor.pipeline.service import MonitorService
from monitor.recording.service import RecordingService
from monitor.store.base import Store
from monitor.store.count_samples import CountSamples
from monitor.store.count_scales import CountScales
from monitor.store.fault_acks import FaultAcks


@dataclass(frozen=True)
class Services:
    monitor: MonitorService
    store: Store
    bus: InMemoryBus
    map: MapConfig
    web_dir: Path | None  # the static page's folder; None serves no page
    auth: AuthService  # accounts, sessions, API tokens (monitor.auth.deps reads it)
    audit: AuditLog  # the append-only audit log
    recordings: RecordingService | None = None  # None: recording and replay are unavailable
    notifications: NotificationService | None = None  # None: no webhooks API
    fault_acks: FaultAcks | None = None  # None: camera faults cannot be acknowledged
    count_samples: CountSamples | None = None  # None: no count checks
    count_scales: CountScales | None = None
