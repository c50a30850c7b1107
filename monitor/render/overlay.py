"""The heat overlay drawn on a site's snapshot: persons/m² per coarse cell, and the region."""

from __future__ import annotations

import cv2
import numpy as np

from monitor.config.site import Point
from monitor.density.base import Frame

# Colour saturates at the density crowd-safety guidance calls dangerous.
DANGEROUS_DENSITY = 5.0


def draw_heat(
    frame: Frame, grid: list[list[float | None]], roi: list[Point], opacity: float = 0.45
) -> Frame:
    """Returns a new BGR frame with the grid blended in; cells outside the region untouched."""
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
    out: Frame = np.ascontiguousarray(blended, dtype=np.uint8)
    polygon = np.round(np.asarray(roi, dtype=np.float64)).astype(np.int32)
    cv2.polylines(out, [polygon], isClosed=True, color=(255, 255, 255), thickness=2)
    return out


def encode_jpeg(frame: Frame, quality: int = 80) -> bytes:
    ok, buffer = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(buffer.tobytes())
