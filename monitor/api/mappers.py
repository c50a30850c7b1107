"""Store records to API response models; free of FastAPI so the pipeline can reuse them.

The mappers shared with the websocket live in `monitor.bus.convert` and are re-exported
here so API code has one place to import from.
"""

from __future__ import annotations

from monitor.api.schemas import ThresholdChangePublic
from monitor.bus.convert import (
    alert_event_public,
    alert_payload,
    alert_public,
    reading_payload,
    thresholds_public,
)
from monitor.store.base import ThresholdChange

__all__ = [
    "alert_event_public",
    "alert_payload",
    "alert_public",
    "reading_payload",
    "threshold_change_public",
    "thresholds_public",
]


def threshold_change_public(change: ThresholdChange) -> ThresholdChangePublic:
    return ThresholdChangePublic(
        at=change.at,
        changed_by=change.changed_by,
        old=thresholds_public(change.old) if change.old is not None else None,
        new=thresholds_public(change.new),
    )
