"""What the API needs from the running monitor: live state and operator actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from monitor.bus.messages import AlertPayload, AlertPublic, PlatformPublic, SitePublic
from monitor.config.app import AppConfig
from monitor.config.motion import MotionConfig
from monitor.config.quality import ImageQualityConfig
from monitor.config.site import GroundPoint, Point, SiteConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.store.site_overrides import SiteChange
from monitor.store.view_references import ViewReference


class UnknownSite(KeyError):
    """No site with that id."""


class UnknownAlert(KeyError):
    """No open alert with that id."""


class UnknownPlatform(KeyError):
    """No response platform with that id."""


@dataclass(frozen=True, slots=True)
class FrameSample:
    """A site's latest analysed frame and what the model counted on it, for checking the
    count by hand."""

    image: np.ndarray  # BGR
    captured_at: float
    model_count: float  # in the region, raw: before count_scale
    count_scale: float  # in force for that frame
    roi: list[tuple[float, float]]
    exclude: list[list[tuple[float, float]]]


class MonitorService(Protocol):
    def sites(self) -> list[SitePublic]: ...

    def site(self, site_id: str) -> SitePublic:
        """Raises UnknownSite."""
        ...

    def open_alerts(self) -> list[AlertPublic]: ...

    def snapshot_jpeg(self, site_id: str, overlay: bool) -> bytes | None:
        """The latest analysed frame as JPEG, with the heat overlay drawn; None before the
        first frame. Raises UnknownSite."""
        ...

    def frame_sample(self, site_id: str) -> FrameSample | None:
        """The latest analysed frame with the model's raw count on it; None before the first
        frame. Raises UnknownSite."""
        ...

    def count_frame(self, site_id: str, image: np.ndarray, captured_at: float) -> FrameSample:
        """What the model counts on a frame (a recorded one) in the site's region as it is
        now, raw. Raises UnknownSite."""
        ...

    def set_thresholds(self, site_id: str, thresholds: ThresholdsConfig, by: str) -> None:
        """Applies at once to the site's alert engine, persists and publishes the change.
        Raises UnknownSite."""
        ...

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        """Raises UnknownAlert when no open alert has that id, AlertError when it is
        already acknowledged."""
        ...

    # The rest of the response (monitor.alerts.lifecycle). Each raises UnknownAlert for an
    # unknown id and AlertError when the step does not apply to the alert as it stands.

    def dispatch(self, alert_id: str, platform_id: str, by: str, note: str) -> AlertPayload:
        """Also raises UnknownPlatform."""
        ...

    def arrive(self, alert_id: str, by: str, note: str) -> AlertPayload: ...

    def resolve(self, alert_id: str, by: str, outcome: str) -> AlertPayload: ...

    def platforms(self) -> list[PlatformPublic]: ...

    # Site setup from the page. Each change is validated whole before it applies (raises
    # SiteChangeError naming the field), persisted, published as `site_config` and applied
    # from the site's next frame. Each raises UnknownSite.

    def site_config(self, site_id: str) -> SiteConfig:
        """The site's config as it runs now, thresholds included."""
        ...

    def effective_config(self) -> AppConfig:
        """The whole config as it runs now: the YAML with every change laid over it."""
        ...

    def set_region(
        self,
        site_id: str,
        roi: list[Point],
        exclude: list[list[Point]],
        by: str,
        area_m2: float | None = None,
    ) -> SitePublic:
        """`area_m2`: the new region's walkable area, for a site without calibration."""
        ...

    def set_calibration(
        self, site_id: str, calibration: list[GroundPoint], by: str
    ) -> SitePublic: ...

    def clear_calibration(self, site_id: str, area_m2: float | None, by: str) -> SitePublic:
        """Back to one scale: `area_m2`, else the configured area, else the region's
        calibrated area."""
        ...

    def set_source(self, site_id: str, source: str, start_offset_s: float, by: str) -> SitePublic:
        """Starts the new source and stops the old one."""
        ...

    def set_image_quality(self, site_id: str, limits: ImageQualityConfig, by: str) -> SitePublic:
        """New picture-quality limits; the next frame is judged afresh by them."""
        ...

    def set_motion(self, site_id: str, motion: MotionConfig, by: str) -> SitePublic:
        """New crowd-motion settings (the pressure limit); the next frame is measured by them."""
        ...

    def set_count_scale(self, site_id: str, count_scale: float, by: str) -> SitePublic:
        """A new per-site count correction; the next frame is counted with it."""
        ...

    def site_changes(self, site_id: str, limit: int) -> list[SiteChange]:
        """Who changed the site's setup, when and how, newest first."""
        ...

    def view_reference(self, site_id: str) -> ViewReference | None:
        """The view the site was set up on (None before its first good frame)."""
        ...

    def take_view_reference(self, site_id: str, by: str) -> ViewReference | None:
        """The latest analysed frame becomes the set-up view; None before the first frame.
        Saving the region or calibration does the same."""
        ...
