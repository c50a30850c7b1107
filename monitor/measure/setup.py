"""Checks and drawings for setting a site up on screen: pure functions of its config.

Used before a change is applied (so a bad region or calibration is refused with a reason,
never half-applied) and to show the supervisor what a calibration means: the ground area
of the region, a metre grid over the snapshot, and the camera's view on the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monitor.config.site import Point, SiteConfig
from monitor.measure.geo import to_lat_lon
from monitor.measure.geometry import GeometryError, build_geometry
from monitor.measure.ground import CalibrationError, GroundModel, ground_model

MAX_GRID_LINES = 400
# The view on the map reaches this many times as far as the region's farthest point: the
# far field near the horizon would otherwise stretch to infinity.
VIEW_DEPTH = 2.0


class SetupError(ValueError):
    """A site config that cannot run; `field` names the part that is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def origin_of(site: SiteConfig) -> Point:
    return site.location.lat, site.location.lon


def site_ground(site: SiteConfig) -> GroundModel:
    """The site's ground model; SetupError naming `ground.calibration` when it cannot fit."""
    try:
        return ground_model(site.ground, site.roi, origin_of(site))
    except CalibrationError as error:
        raise SetupError("ground.calibration", str(error)) from None


def check_site(site: SiteConfig) -> GroundModel:
    """Everything a worker will need of the site's view, checked before it runs.

    A homography sends a half-plane of the image to the ground; a polygon lies in it
    exactly when its vertices do, so vertices alone decide "above the horizon".
    """
    ground = site_ground(site)
    if np.isnan(ground.to_ground(np.asarray(site.roi, dtype=np.float64))).any():
        raise SetupError("roi", "the region reaches above the calibrated horizon; redraw it lower")
    return ground


def region_area_m2(site: SiteConfig, ground: GroundModel, frame_size: tuple[int, int]) -> float:
    """Ground area counted at the site, exclusions cut out, at a fine raster of the frame."""
    width, height = frame_size
    shape = (max(1, height // 4), max(1, width // 4))
    try:
        geometry = build_geometry(
            site.roi, ground, frame_size, shape, site.peak_window_m, exclude=site.exclude
        )
    except GeometryError as error:
        raise SetupError("roi", str(error)) from None
    return geometry.region_area_m2


@dataclass(frozen=True, slots=True)
class GroundGrid:
    spacing_m: float
    lines: list[list[Point]]  # polylines in image pixels


def ground_grid(
    ground: GroundModel, roi: list[Point], spacing_m: float = 1.0, samples: int = 16
) -> GroundGrid:
    """Lines every `spacing_m` metres on the ground, drawn in the image over the region.

    Coarser than asked when the region would need more than MAX_GRID_LINES lines. Lines
    are sampled rather than taken end to end so that the part behind the camera drops out.
    """
    corners = ground.to_ground(np.asarray(roi, dtype=np.float64))
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    span = float(np.max(hi - lo))
    while span / spacing_m * 2 > MAX_GRID_LINES:
        spacing_m *= 2
    # Tolerance: a corner at 0 m comes back from the homography as -1e-12 m.
    start = np.floor(lo / spacing_m + 1e-6) * spacing_m
    stop = np.ceil(hi / spacing_m - 1e-6) * spacing_m
    lines: list[list[Point]] = []
    steps = np.linspace(0.0, 1.0, samples)
    for x in np.arange(start[0], stop[0] + spacing_m / 2, spacing_m):
        ys = start[1] + steps * (stop[1] - start[1])
        lines.extend(_visible_runs(ground, np.stack([np.full_like(ys, x), ys], axis=1)))
    for y in np.arange(start[1], stop[1] + spacing_m / 2, spacing_m):
        xs = start[0] + steps * (stop[0] - start[0])
        lines.extend(_visible_runs(ground, np.stack([xs, np.full_like(xs, y)], axis=1)))
    return GroundGrid(spacing_m=spacing_m, lines=lines)


def _visible_runs(ground: GroundModel, points: np.ndarray) -> list[list[Point]]:
    image = ground.to_image(points)
    runs: list[list[Point]] = []
    run: list[Point] = []
    for x, y in image:
        if math.isfinite(x) and math.isfinite(y):
            run.append((round(float(x), 1), round(float(y), 1)))
            continue
        if len(run) >= 2:
            runs.append(run)
        run = []
    if len(run) >= 2:
        runs.append(run)
    return runs


def _clip_half_plane(polygon: list[Point], normal: np.ndarray, limit: float) -> list[Point]:
    """Sutherland-Hodgman against {p : normal . (p, 1) >= limit}."""

    def side(point: Point) -> float:
        return float(normal[0] * point[0] + normal[1] * point[1] + normal[2]) - limit

    clipped: list[Point] = []
    for current, following in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        a, b = side(current), side(following)
        if a >= 0:
            clipped.append(current)
        if (a >= 0) != (b >= 0):
            t = a / (a - b)
            clipped.append(
                (
                    current[0] + t * (following[0] - current[0]),
                    current[1] + t * (following[1] - current[1]),
                )
            )
    return clipped


def field_of_view(
    ground: GroundModel, frame_size: tuple[int, int], roi: list[Point], origin: Point
) -> list[Point]:
    """The ground the camera sees, as [lat, lon] points; empty for an uncalibrated site.

    The frame is cut where the ground lies VIEW_DEPTH times farther than the region's
    farthest point (the homography's w shrinks with distance).
    """
    if ground.homography is None:
        return []
    row = ground.homography[2]
    roi_w = np.hstack([np.asarray(roi, dtype=np.float64), np.ones((len(roi), 1))]) @ row
    if not np.all(roi_w > 0):
        return []
    width, height = frame_size
    frame: list[Point] = [
        (0.0, 0.0),
        (float(width), 0.0),
        (float(width), float(height)),
        (0.0, float(height)),
    ]
    visible = _clip_half_plane(frame, row, float(roi_w.min()) / VIEW_DEPTH)
    if len(visible) < 3:
        return []
    on_ground = ground.to_ground(np.asarray(visible, dtype=np.float64))
    return [
        (round(lat, 7), round(lon, 7))
        for lat, lon in (to_lat_lon((float(e), float(n)), origin) for e, n in on_ground)
    ]


def polygon_lat_lon(ground: GroundModel, polygon: list[Point], origin: Point) -> list[Point]:
    """An image polygon on the map; empty unless calibrated and fully on the ground."""
    if ground.homography is None:
        return []
    on_ground = ground.to_ground(np.asarray(polygon, dtype=np.float64))
    if np.isnan(on_ground).any():
        return []
    return [
        (round(lat, 7), round(lon, 7))
        for lat, lon in (to_lat_lon((float(e), float(n)), origin) for e, n in on_ground)
    ]
