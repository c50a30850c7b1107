"""A frame source driven by the test: frames are pushed, not read from a device.

Used where a test must control exactly which frame arrives when; the real FrameSource
has its own tests and runs in the end-to-end ones.
"""

from __future__ import annotations

import itertools

from monitor.bus.messages import SiteStatus
from monitor.config.site import SiteConfig
from monitor.density.base import Frame
from monitor.ingest.frames import CapturedFrame, LatestFrame
from monitor.pipeline.ports import StatusCallback
from monitor.recording.service import FrameTaps


class PushedSource:
    def __init__(
        self, site: SiteConfig, on_status: StatusCallback, taps: FrameTaps | None = None
    ) -> None:
        self.site = site
        self.frames = LatestFrame()
        self._on_status = on_status
        self._on_frame = taps.listener(site.id) if taps is not None else None
        self._seq = itertools.count(1)
        self.started = False
        self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped = True

    def report(self, status: SiteStatus, reason: str = "") -> None:
        self._on_status(status, reason)

    def push(self, image: Frame, captured_at: float) -> int:
        seq = next(self._seq)
        frame = CapturedFrame(image=image, seq=seq, captured_at=captured_at)
        if self._on_frame is not None:  # the recorder sees every frame, as FrameSource's do
            self._on_frame(frame)
        self.frames.put(frame)
        return seq


class PushedSources:
    """The source factory for a runtime; keeps each site's source for the test to drive."""

    def __init__(self) -> None:
        self.by_site: dict[str, PushedSource] = {}
        # Where pushed frames go for recording: the application's taps, once it is built.
        self.taps: FrameTaps | None = None

    def __call__(self, site: SiteConfig, on_status: StatusCallback) -> PushedSource:
        source = PushedSource(site, on_status, self.taps)
        self.by_site[site.id] = source
        return source
