"""The seams the pipeline runs against, so sources and sinks can be swapped or tested."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from monitor.bus.messages import SiteStatus
from monitor.config.site import SiteConfig
from monitor.ingest.frames import CapturedFrame
from monitor.store.base import StoredReading

StatusCallback = Callable[[SiteStatus, str], None]


class LatestFrames(Protocol):
    @property
    def dropped(self) -> int: ...

    def take_newer(self, after_seq: int, timeout: float) -> CapturedFrame | None: ...


class Source(Protocol):
    @property
    def frames(self) -> LatestFrames: ...

    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> object: ...


SourceFactory = Callable[[SiteConfig, StatusCallback], Source]


class ReadingSink(Protocol):
    def submit(self, reading: StoredReading) -> bool: ...
