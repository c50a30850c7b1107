"""The heat overlay drawn on a site's snapshot: persons/m² per coarse cell, the region, and
the excluded areas (dimmed, so an operator sees at a glance which people are not counted)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from monitor.config.site import Point
from monitor.density.base import Frame

# Colour saturates at the density crowd-safety guidance calls dangerous.
DANGEROUS_DENSITY = 5.0
# Excluded areas keep this share of their brightness: dim enough to read as "not counted",
# light enough to still see who stands there.
EXCLUDED_BRIGHTNESS = 0.45
REGION_COLOUR = (255, 255, 255)
EXCLUDED_COLOUR = (170, 170, 170)


def _pixel_polygon(points: Sequence[Point]) -> np.ndarray:
    return np.round(np.asarray(points, dtype=np.float64)).astype(np.int32)


def draw_heat(
    frame: Frame,
    grid: list[list[float | None]],
    roi: Sequence[Point],
    opacity: float = 0.45,
    exclude: Sequence[Sequence[Point]] = (),
) -> Frame:
    """Returns a new BGR frame with the grid blended in; cells outside the region untouched,
    excluded areas dimmed and outlined."""
    height, width = frame.shape[:2]
    values = np.array([[np.nan if v is None else v for v in row] for row in grid], dtype=np.float32)
    inside = np.isfinite(values)
    scaled = np.clip(np.nan_to_num(values) / DANGEROUS_DENSITY, 0.0, 1.0)
    colours = cv2.applyColorMap((scaled * 255).astype(np.uint8), cv2.COLORMAP_JET)
    colours = cv2.resize(colours, (width, height), interpolation=cv2.INTER_NEAREST)
    # Empty cells stay see-through so the scene remains readable.
    cell_alpha = np.where(inside, opacity * np.sqrt(scaled), 0.0).astype(np.float32)
    alpha = cv2.resize(cell_alpha, (width, height), interpolation=cv2.INTER_NEAREST)[..., None]
    blended = frame.astype(np.float32) * (1 - alpha) + colours.astype(np.float32) * alpha
    if exclude:
        excluded = np.zeros((height, width), dtype=np.uint8)
        cv2.fillPoly(excluded, [_pixel_polygon(p) for p in exclude], 1)
        blended[excluded > 0] *= EXCLUDED_BRIGHTNESS
    out: Frame = np.ascontiguousarray(blended, dtype=np.uint8)
    cv2.polylines(out, [_pixel_polygon(roi)], isClosed=True, color=REGION_COLOUR, thickness=2)
    for polygon in exclude:
        cv2.polylines(
            out, [_pixel_polygon(polygon)], isClosed=True, color=EXCLUDED_COLOUR, thickness=1
        )
    return out


def encode_jpeg(frame: Frame, quality: int = 80) -> bytes:
    ok, buffer = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buffer.tobytes())
