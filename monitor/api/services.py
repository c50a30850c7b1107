"""What the API is built from: the running monitor and the services around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.bus.bus import InMemoryBus
from monitor.config.app import MapConfig
from monitor.pipeline.service import MonitorService
from monitor.store.base import Store


@dataclass(frozen=True)
class Services:
    monitor: MonitorService
    store: Store
    bus: InMemoryBus
    map: MapConfig
    web_dir: Path | None  # the static page's folder; None serves no page
