"""Which stalled streams and poor pictures are worth telling anyone about: pure, no I/O, no
clock.

An outage is the camera's own word (camera_watch.py). These faults are the server's
judgement of a camera that is up: nothing analysed for a while (a stalled stream or
analysis), or a picture too poor to trust the count (a covered lens, grain, a starved
stream). Such a judgement sits on a limit: a picture on the edge of grainy at dusk comes
and goes for minutes. So a fault is announced once it has lasted `after_s`, and its end
once the site has been free of it for `after_s`; back within that, it is the same fault.
A blank picture and a merely poor one are told apart (severity), so a grainy camera that is
then covered is announced again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monitor.bus.messages import FaultKind, QualityIssueName
from monitor.faults.camera import CameraFault, Severity
from monitor.notify.events import FaultChange

# The site and what to announce about its camera.
Announcement = tuple[str, FaultChange]
# The faults this watch follows; an outage (offline, not connecting) is camera_watch's.
WATCHED_KINDS: frozenset[FaultKind] = frozenset({"stalled", "picture"})


@dataclass(slots=True)
class _Episode:
    since: float
    issues: tuple[QualityIssueName, ...]
    gone_since: float | None = None  # first seen gone; None while it is there
    announced: bool = False


class FaultWatch:
    def __init__(self, after_s: float) -> None:
        if after_s < 0:
            raise ValueError(f"after_s must be >= 0, got {after_s}")
        self._after_s = after_s
        self._episodes: dict[tuple[str, FaultKind, Severity], _Episode] = {}

    def observe(self, faults: Mapping[str, CameraFault], now: float) -> list[Announcement]:
        """Takes every site's fault now (sites without one left out); returns what is to be
        announced."""
        present = set()
        for site_id, fault in faults.items():
            if fault.kind not in WATCHED_KINDS:
                continue
            key = (site_id, fault.kind, fault.severity)
            present.add(key)
            episode = self._episodes.get(key)
            if episode is None:
                since = now if fault.since is None else min(fault.since, now)
                self._episodes[key] = _Episode(since, fault.issues)
            else:
                episode.issues, episode.gone_since = fault.issues, None
        changes: list[Announcement] = []
        for key, episode in list(self._episodes.items()):
            site_id = key[0]
            if key in present:
                if not episode.announced and now - episode.since >= self._after_s:
                    episode.announced = True
                    lasted = now - episode.since
                    changes.append((site_id, _change("began", key, episode, lasted)))
                continue
            if episode.gone_since is None:
                episode.gone_since = now
            if now - episode.gone_since < self._after_s:
                continue
            del self._episodes[key]
            if episode.announced:
                current = faults.get(site_id)
                lasted = episode.gone_since - episode.since
                change = _change("ended", key, episode, lasted, current)
                changes.append((site_id, change))
        return changes


def _change(
    state: str,
    key: tuple[str, FaultKind, Severity],
    episode: _Episode,
    lasted_s: float,
    fault_now: CameraFault | None = None,
) -> FaultChange:
    _, kind, severity = key
    return FaultChange.model_validate(
        {
            "state": state,
            "kind": kind,
            "severity": severity,
            "issues": list(episode.issues),
            "since": episode.since,
            "lasted_s": max(0.0, lasted_s),
            "fault_now": None if fault_now is None else fault_now.kind,
        }
    )
