"""Where the picture moved between two analysed frames: dense optical flow, no I/O.

The flow runs on a small grey copy of each frame (DIS, OpenCV's fast dense flow): people move
a few pixels between analysed frames, a crowd's motion varies over a metre or so, not pixels, and at
320 pixels wide it costs a few milliseconds a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import Frame

GreyFrame = npt.NDArray[np.uint8]
FlowGrid = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class FlowFrame:
    """A frame as the flow needs it: small and grey, with the frame's own size and time."""

    grey: GreyFrame
    frame_size: tuple[int, int]  # (width, height) of the frame it was made from
    captured_at: float


@dataclass(frozen=True, slots=True)
class FlowField:
    """Per pixel of the small frames: how far the picture moved, in pixels of the full frame."""

    dx: FlowGrid
    dy: FlowGrid
    frame_size: tuple[int, int]
    dt_s: float


def flow_frame(image: Frame, width: int, captured_at: float) -> FlowFrame:
    """The small grey copy of a BGR frame, `width` pixels wide (never enlarged)."""
    height, full_width = image.shape[:2]
    width = min(width, full_width)
    size = (width, max(8, round(height * width / full_width)))
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    if size != (full_width, height):
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return FlowFrame(np.ascontiguousarray(grey, dtype=np.uint8), (full_width, height), captured_at)


def can_follow(previous: FlowFrame, current: FlowFrame, max_gap_s: float) -> bool:
    """Whether the two frames are close enough in time, and alike enough, for their flow to
    mean motion: a gap (a stall, a reconnect) or a new picture size says nothing of it."""
    gap = current.captured_at - previous.captured_at
    return (
        0.0 < gap <= max_gap_s
        and previous.frame_size == current.frame_size
        and previous.grey.shape == current.grey.shape
    )


def optical_flow(previous: FlowFrame, current: FlowFrame) -> FlowField:
    """The flow from `previous` to `current` (see `can_follow` for when it means anything)."""
    if previous.grey.shape != current.grey.shape:
        raise ValueError(
            f"flow frames differ in size: {previous.grey.shape} and {current.grey.shape}"
        )
    # Made per call: a DIS object holds per-run state and is not safe to share between sites'
    # threads, and making one costs microseconds next to the flow itself.
    # The medium preset: the faster ones stop two pyramid levels above full size, and lanes
    # of people a metre wide walking against each other blur into one still smear there (a
    # 1.2 m counterflow read at a sixth of its speed). Going on down to full size reads them
    # true but adds noise that a fast crowd walking as one reads as pressure; the medium
    # preset's one level short is the quietest that still sees the counterflow
    # (bench/motion_bench.py).
    dis = cv2.DISOpticalFlow.create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    # No initial flow (None, which OpenCV's stubs leave out): DIS would start from one given.
    computed = dis.calc(previous.grey, current.grey, None)  # type: ignore[call-overload]
    flow = np.asarray(computed, dtype=np.float32)
    scale = current.frame_size[0] / current.grey.shape[1]
    return FlowField(
        dx=np.ascontiguousarray(flow[..., 0] * scale, dtype=np.float32),
        dy=np.ascontiguousarray(flow[..., 1] * scale, dtype=np.float32),
        frame_size=current.frame_size,
        dt_s=current.captured_at - previous.captured_at,
    )
