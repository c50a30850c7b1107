"""What is wrong with a site's camera now, if anything: pure, no I/O, no clock.

One definition for every consumer: the live page lists faults by the same rules
(`cameraFault` in web/js/faults.js; tests/support/fault_cases.py holds both to one set of
cases), webhooks are told of the faults that last, a booked repair is followed up while its
fault is still there, and /metrics exports it for the monitoring system's own rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitor.bus.messages import FaultAckPublic, FaultKind, QualityIssueName, SitePublic

# Opening a stream takes a few seconds; one still opening after this is a fault.
STARTING_FAULT_S = 30.0
# Online but nothing analysed for this long: the stream or the analysis stalled without
# failing, and the numbers shown are old.
STALE_READING_S = 15.0
# An acknowledgement names its fault by the `since` the page was sent: the same float, give
# or take its trip through JSON.
SAME_EPISODE_S = 1e-3

Severity = Literal["bad", "warn"]


@dataclass(frozen=True, slots=True)
class CameraFault:
    kind: FaultKind
    severity: Severity
    since: float | None  # when it began; it names the episode
    reason: str = ""  # offline and starting: what the source said
    issues: tuple[QualityIssueName, ...] = ()  # picture: what is wrong with it


def camera_fault(site: SitePublic, now: float) -> CameraFault | None:
    """The site's fault at `now` (epoch seconds), or None while its count can be trusted."""
    if site.status == "offline":
        return CameraFault("offline", "bad", site.status_since, reason=site.status_reason)
    if (
        site.status == "starting"
        and site.status_since is not None
        and now - site.status_since > STARTING_FAULT_S
    ):
        return CameraFault("starting", "warn", site.status_since, reason=site.status_reason)
    reading = site.latest
    if reading is None:
        return None
    if site.status == "online" and now - reading.analysed_at > STALE_READING_S:
        return CameraFault("stalled", "bad", reading.analysed_at)
    issues = tuple(reading.image_quality.issues) if reading.image_quality is not None else ()
    if not issues:
        return None
    since = site.picture_since if site.picture_since is not None else reading.captured_at
    # A blank picture's count is meaningless; the other issues only make it doubtful.
    severity: Severity = "bad" if "blank" in issues else "warn"
    return CameraFault("picture", severity, since, issues=issues)


def is_episode(fault: CameraFault, kind: FaultKind, since: float) -> bool:
    """Whether `kind` and `since` name this very episode of `fault`."""
    return (
        kind == fault.kind and fault.since is not None and abs(since - fault.since) < SAME_EPISODE_S
    )


def names_episode(fault: CameraFault, ack: FaultAckPublic) -> bool:
    """Whether `ack` names this very episode of `fault`: one that began again is not
    acknowledged."""
    return is_episode(fault, ack.kind, ack.since)


def ack_in_force(fault: CameraFault, ack: FaultAckPublic | None, now: float) -> bool:
    """Whether the site's latest acknowledgement covers `fault` now: it names this episode
    and the time the camera was expected back, if any, has not come."""
    if ack is None or not names_episode(fault, ack):
        return False
    return ack.expected_back is None or now < ack.expected_back


def ack_overdue(fault: CameraFault, ack: FaultAckPublic | None, now: float) -> bool:
    """Whether `ack` promised this fault's camera back by now and it is still not back."""
    if ack is None or ack.expected_back is None or not names_episode(fault, ack):
        return False
    return now >= ack.expected_back
