"""What the rest of the service needs from persistent storage.

SQLite is the embedded default; the same SQLAlchemy implementation runs on PostgreSQL
when one machine is not enough. Readings arrive in batches from a writer thread; alert
updates and threshold changes are written as they happen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from monitor.alerts.model import Alert, AlertEvent, AlertUpdate
from monitor.config.thresholds import ThresholdsConfig
from monitor.motion.measure import Motion
from monitor.quality.health import PictureMark
from monitor.quality.outages import RecordedStatus, StatusChange
from monitor.quality.verdict import QualityVerdict


@dataclass(frozen=True, slots=True)
class StoredReading:
    site_id: str
    seq: int
    captured_at: float
    analysed_at: float
    count: float
    mean_density: float
    peak_density: float
    level: str
    grid: list[list[float | None]]
    frame_width: int
    frame_height: int
    quality: QualityVerdict | None = None  # None: not assessed
    motion: Motion | None = None  # None: not measured (first frame after a gap, or off)


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    site_id: str
    at: float
    changed_by: str
    old: ThresholdsConfig | None
    new: ThresholdsConfig


class Store(Protocol):
    def add_readings(self, readings: list[StoredReading]) -> None: ...

    def readings(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StoredReading]:
        """Oldest first, within [since, until] on captured_at."""
        ...

    def delete_readings(
        self, site_id: str, start: float | None, end: float, *, batch: int = ...
    ) -> int:
        """Deletes the site's readings captured in [start, end), a batch at a time."""
        ...

    def picture_marks(self, site_id: str, since: float, until: float) -> Iterator[PictureMark]:
        """Each reading's picture within [since, until], oldest first, fetched a part at a time."""
        ...

    def record_status(
        self, site_ids: list[str], at: float, status: RecordedStatus, reason: str
    ) -> None:
        """Appends one status change for each of the sites, in one transaction."""
        ...

    def status_changes(self, site_id: str, since: float, until: float) -> list[StatusChange]:
        """Oldest first: the latest change at or before `since` (the status then), and every
        change after it up to `until`."""
        ...

    def status_site_ids(self) -> list[str]:
        """Every site with a status change on record, in no particular order."""
        ...

    def status_history(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StatusChange]:
        """Newest first within [since, until]."""
        ...

    def save_alert_update(self, update: AlertUpdate) -> None:
        """Upserts the alert and appends its event, in one transaction."""
        ...

    def alerts(self, state: str | None, site_id: str | None, limit: int) -> list[Alert]:
        """Newest first by raised_at; state None means any."""
        ...

    def alerts_raised(
        self, since: float, until: float, site_id: str | None, limit: int
    ) -> list[Alert]:
        """Alerts raised within [since, until], oldest first; every site when site_id is None."""
        ...

    def alert(self, alert_id: str) -> Alert | None: ...

    def alert_events(self, alert_id: str) -> list[AlertEvent]:
        """Oldest first."""
        ...

    def open_alerts(self) -> list[Alert]:
        """Alerts not resolved, to restore the engines after a restart."""
        ...

    def record_threshold_change(self, change: ThresholdChange) -> None:
        """Appends to the history and makes `new` the site's current thresholds."""
        ...

    def current_thresholds(self) -> dict[str, ThresholdsConfig]:
        """Thresholds changed at run time, by site, overriding the YAML's."""
        ...

    def threshold_changes(self, site_id: str, limit: int) -> list[ThresholdChange]:
        """Newest first."""
        ...

    def close(self) -> None: ...
