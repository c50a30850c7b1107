"""What the API needs from the running monitor: live state and operator actions."""

from __future__ import annotations

from typing import Protocol

from monitor.bus.messages import AlertPayload, AlertPublic, SitePublic
from monitor.config.thresholds import ThresholdsConfig


class UnknownSite(KeyError):
    """No site with that id."""


class UnknownAlert(KeyError):
    """No open alert with that id."""


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

    def set_thresholds(self, site_id: str, thresholds: ThresholdsConfig, by: str) -> None:
        """Applies at once to the site's alert engine, persists and publishes the change.
        Raises UnknownSite."""
        ...

    def acknowledge(self, alert_id: str, by: str, note: str) -> AlertPayload:
        """Raises UnknownAlert when no open alert has that id, AlertError when it is
        already acknowledged."""
        ...
