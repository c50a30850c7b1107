"""Review packs: a zip of a time range's clips, readings and status changes (CSV), alert
events (JSON) and a manifest with the sha256 of every file, so the pack can later be shown
to be unaltered.

Blurring for sharing outside the command center works from the stored coarse density
grid, not a re-run of the model: every grid cell holding people is blurred. That hides
faces and figures cell by cell (coarser than per-head), which errs on the side of privacy.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

from monitor.ingest.frames import BgrImage
from monitor.quality.outages import StatusChange
from monitor.recording.encoder import SegmentWriter
from monitor.recording.index import Segment
from monitor.recording.replay import SegmentUnreadable, health
from monitor.store.base import StoredReading

MANIFEST = "manifest.json"
BLUR_MIN_DENSITY = 0.01
"""persons/m² above which a grid cell counts as holding people."""

STATUS_COLUMNS = ("site_id", "at", "status", "reason")
READING_COLUMNS = (
    "site_id",
    "seq",
    "captured_at",
    "analysed_at",
    "count",
    "mean_density",
    "peak_density",
    "level",
    # "good", or the picture's issues ("noise detail_loss"); empty when not assessed.
    "picture",
    # The crowd's motion (README, "Motion"); empty when not measured.
    "speed_m_s",
    "pressure",
    "turbulent",
)


@dataclass(frozen=True, slots=True)
class ExportClip:
    segment: Segment
    path: Path


@dataclass
class ExportRequestData:
    since: float
    until: float
    sites: list[str]
    blur: bool
    created_by: str
    created_at: float
    clips: list[ExportClip]
    readings: dict[str, list[StoredReading]]
    alerts: list[dict[str, Any]]
    skipped: list[str] = field(default_factory=list)
    # Each site's status changes (the one in force at `since` first): why footage is missing.
    status: dict[str, list[StatusChange]] = field(default_factory=dict)


# -- pure stages -------------------------------------------------------------------------


def blur_people(image: BgrImage, grid: Sequence[Sequence[float | None]]) -> BgrImage:
    """A copy of `image` with every cell of the coarse grid that holds people blurred."""
    rows = len(grid)
    cols = len(grid[0]) if rows else 0
    if not rows or not cols:
        return image.copy()
    height, width = image.shape[:2]
    mask = np.array(
        [[v is not None and v > BLUR_MIN_DENSITY for v in row] for row in grid], dtype=np.uint8
    )
    if not mask.any():
        return image.copy()
    full = cv2.resize(mask, (width, height), interpolation=cv2.INTER_NEAREST).astype(bool)
    # Strong enough that nobody is recognisable at the cell's scale.
    kernel = max(15, (min(width // cols, height // rows) // 2) * 2 + 1)
    blurred = cv2.GaussianBlur(image, (kernel, kernel), 0)
    out = image.copy()
    out[full] = blurred[full]
    return out


def nearest_reading(readings: Sequence[StoredReading], at: float) -> StoredReading | None:
    """The reading captured nearest `at`; `readings` oldest first."""
    if not readings:
        return None
    times = [r.captured_at for r in readings]
    index = bisect.bisect_left(times, at)
    candidates = readings[max(0, index - 1) : index + 1]
    return min(candidates, key=lambda r: abs(r.captured_at - at))


def readings_csv(readings: Iterable[StoredReading]) -> bytes:
    """Readings as CSV; the grid is left out (it is in the live API, and bulky)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(READING_COLUMNS)
    for r in readings:
        writer.writerow(
            [r.site_id, r.seq, repr(r.captured_at), repr(r.analysed_at), r.count,
             r.mean_density, r.peak_density, r.level, _picture(r), *_motion(r)]
        )  # fmt: skip
    return out.getvalue().encode()


def status_csv(site_id: str, changes: Iterable[StatusChange]) -> bytes:
    """A site's status changes as CSV: when it went online or offline and why, and when the
    monitor started and stopped. The first row may predate the pack: the status then."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATUS_COLUMNS)
    for change in changes:
        writer.writerow([site_id, repr(change.at), change.status, change.reason])
    return out.getvalue().encode()


def _motion(reading: StoredReading) -> tuple[object, ...]:
    motion = reading.motion
    if motion is None:
        return ("", "", "")
    return (motion.speed_m_s, motion.pressure, "yes" if motion.turbulent else "no")


def _picture(reading: StoredReading) -> str:
    if reading.quality is None:
        return ""
    return " ".join(reading.quality.issues) or "good"


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return json.dumps(manifest, indent=1, ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- I/O ---------------------------------------------------------------------------------


def build_export(data: ExportRequestData, target: Path, scratch: Path) -> dict[str, Any]:
    """Writes the zip to `target`; returns its manifest. `scratch`: a folder for blurred clips."""
    files: list[dict[str, Any]] = []
    skipped = list(data.skipped)
    with zipfile.ZipFile(target, "w") as pack:

        def add(name: str, content: bytes, compress: bool = True) -> None:
            kind = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            pack.writestr(name, content, compress_type=kind)
            files.append({"path": name, "size": len(content), "sha256": sha256_hex(content)})

        for clip in data.clips:
            state, why = health(clip.segment, clip.path)
            if state != "ok":
                skipped.append(why)
                continue
            name = f"clips/{clip.segment.site_id}/{round(clip.segment.start * 1000)}.mp4"
            try:
                if data.blur:
                    site_readings = data.readings.get(clip.segment.site_id, [])
                    content = _blurred_clip(clip, site_readings, scratch)
                else:
                    content = clip.path.read_bytes()
            except (SegmentUnreadable, av.error.FFmpegError, OSError) as error:
                skipped.append(f"segment {clip.segment.id}: {error}")
                continue
            add(name, content, compress=False)
        for site_id in data.sites:
            add(f"readings/{site_id}.csv", readings_csv(data.readings.get(site_id, [])))
            add(f"status/{site_id}.csv", status_csv(site_id, data.status.get(site_id, [])))
        add("alerts.json", json.dumps(data.alerts, indent=1, ensure_ascii=False).encode())
        manifest = {
            "format": "crowd-monitor-export/1",
            "created_at": data.created_at,
            "created_by": data.created_by,
            "since": data.since,
            "until": data.until,
            "sites": data.sites,
            "blurred": data.blur,
            "blur_method": "coarse density grid cells" if data.blur else None,
            "skipped": skipped,
            "files": files,
        }
        pack.writestr(MANIFEST, manifest_bytes(manifest))
    return manifest


def verify_export(pack_path: Path) -> list[str]:
    """Problems found checking a pack against its manifest; empty when it is unaltered."""
    problems: list[str] = []
    with zipfile.ZipFile(pack_path) as pack:
        names = set(pack.namelist())
        if MANIFEST not in names:
            return [f"no {MANIFEST}"]
        manifest = json.loads(pack.read(MANIFEST))
        listed = {entry["path"] for entry in manifest["files"]}
        for entry in manifest["files"]:
            if entry["path"] not in names:
                problems.append(f"{entry['path']}: missing")
                continue
            digest = sha256_hex(pack.read(entry["path"]))
            if digest != entry["sha256"]:
                problems.append(f"{entry['path']}: sha256 {digest}, manifest {entry['sha256']}")
        problems.extend(
            f"{name}: not in the manifest" for name in sorted(names - listed - {MANIFEST})
        )
    return problems


def _blurred_clip(clip: ExportClip, readings: Sequence[StoredReading], scratch: Path) -> bytes:
    segment = clip.segment
    out_path = scratch / f"{segment.id}.mp4"
    writer: SegmentWriter | None = None
    try:
        with av.open(str(clip.path)) as container:
            stream = container.streams.video[0]
            time_base = stream.time_base
            if time_base is None:
                raise SegmentUnreadable(f"segment {segment.id}: no time base")
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                at = segment.start + float(frame.pts * time_base)
                image = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
                reading = nearest_reading(readings, at)
                # No reading at all: blur the whole frame rather than leak anyone.
                grid: list[list[float | None]] = reading.grid if reading else [[1.0]]
                if writer is None:
                    height, width = image.shape[:2]
                    writer = SegmentWriter(out_path, segment.start, width, height)
                writer.write(blur_people(image, grid), at)
        if writer is None:
            raise SegmentUnreadable(f"segment {segment.id}: no frame decodes")
        writer.close()
        writer = None
        return out_path.read_bytes()
    finally:
        if writer is not None:
            writer.abort()
        out_path.unlink(missing_ok=True)
