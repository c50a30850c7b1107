"""Reading recorded segments back: the frame nearest a time, and whether a file is sound."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av
import numpy as np

from monitor.ingest.frames import BgrImage
from monitor.recording.index import Segment

SegmentHealth = Literal["ok", "missing", "corrupt"]


class SegmentUnreadable(Exception):
    """A segment's file is missing or cannot be decoded; the message says which and why."""


@dataclass(frozen=True, slots=True)
class DecodedFrame:
    at: float
    """Capture time of the frame, epoch seconds."""
    image: BgrImage


def health(segment: Segment, path: Path) -> tuple[SegmentHealth, str]:
    """A cheap check for listings: the file exists with the size it was indexed with."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "missing", f"segment {segment.id}: file {segment.path} is missing"
    except OSError as error:
        return "missing", f"segment {segment.id}: cannot read {segment.path}: {error.strerror}"
    if size != segment.size:
        return "corrupt", (
            f"segment {segment.id}: {segment.path} is {size} bytes, indexed as {segment.size}"
        )
    return "ok", ""


def frame_at(segment: Segment, path: Path, at: float) -> DecodedFrame:
    """The frame of `segment` whose capture time is nearest `at`. Raises SegmentUnreadable."""
    state, why = health(segment, path)
    if state != "ok":
        raise SegmentUnreadable(why)
    offset = min(max(at - segment.start, 0.0), segment.end - segment.start)
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            time_base = stream.time_base
            if time_base is None:
                raise SegmentUnreadable(f"segment {segment.id}: no time base in {segment.path}")
            # Back to the keyframe before the target, then forward to the nearest frame.
            container.seek(int(offset / time_base), stream=stream, backward=True)
            best: DecodedFrame | None = None
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                frame_at_s = segment.start + float(frame.pts * time_base)
                if best is None or abs(frame_at_s - at) <= abs(best.at - at):
                    image = np.asarray(frame.to_ndarray(format="bgr24"), dtype=np.uint8)
                    best = DecodedFrame(frame_at_s, image)
                elif frame_at_s > at:
                    break  # moving away again
    except (av.error.FFmpegError, OSError) as error:
        why = f"segment {segment.id}: cannot decode {segment.path}: {error}"
        raise SegmentUnreadable(why) from error
    if best is None:
        raise SegmentUnreadable(f"segment {segment.id}: no frame decodes in {segment.path}")
    return DecodedFrame(best.at, np.ascontiguousarray(best.image, dtype=np.uint8))
