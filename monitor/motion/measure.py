"""From optical flow and people per cell to how the crowd moves on the ground. No I/O.

Crowd pressure is Helbing's measure of crowd turbulence (D. Helbing, A. Johansson, H. Z.
Al-Abideen, "Dynamics of crowd disasters: an empirical study", Phys. Rev. E 75, 2007): the
local density times the local variance of the crowd's velocity, P = rho * Var(V), in 1/s².
A dense crowd moving smoothly, however fast, has a low pressure; one whose people are pushed
in different directions has a high one. In the 2006 Mina video the crowd turned turbulent
from about 0.02/s², minutes before people fell. Both terms are taken per square of ground of
the site's peak window, the same squares the peak density is taken over.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from monitor.measure.geometry import FloatGrid, SiteGeometry
from monitor.measure.ground import GroundModel
from monitor.measure.measure import ground_window_sums, measurable_windows
from monitor.motion.flow import FlowField, FlowGrid

# A velocity variance needs a few people moving: one person's own motion is no crowd's.
MIN_WINDOW_PEOPLE = 3.0


@dataclass(frozen=True, slots=True)
class MotionSample:
    """One pair of frames' measurement."""

    speed_m_s: float  # mean ground speed of the people in the region
    pressure: float  # crowd pressure in the worst window, 1/s²


@dataclass(frozen=True, slots=True)
class Motion:
    """What a reading says of the crowd's motion (see `monitor/motion/window.py`)."""

    speed_m_s: float  # mean ground speed of the people in the region, this frame
    pressure: float  # crowd pressure, 1/s²: the median over the last few seconds
    turbulent: bool  # pressure at or above the site's limit when it was measured


def cell_velocities(
    flow: FlowField, ground: GroundModel, shape: tuple[int, int]
) -> tuple[FloatGrid, FloatGrid]:
    """Ground velocity (m/s, east and north of the ground model's axes) per density cell;
    0 where a cell's ground is unknown (behind the horizon)."""
    rows, cols = shape
    # Weighted by how far each pixel moved: a walker fills a fraction of a far cell, and a plain
    # mean over it would average their step with the still ground around them.
    magnitude = np.hypot(flow.dx, flow.dy)
    weight = _cell_means(magnitude, shape)
    moving = weight > 1e-6
    dx, dy = (
        np.divide(_cell_means(magnitude * d, shape), weight, out=np.zeros(shape), where=moving)
        for d in (flow.dx, flow.dy)
    )
    width, height = flow.frame_size
    xs = (np.arange(cols) + 0.5) * width / cols
    ys = (np.arange(rows) + 0.5) * height / rows
    centre_x, centre_y = np.meshgrid(xs, ys)
    half = np.stack([dx.ravel(), dy.ravel()], axis=1) / 2.0
    centres = np.stack([centre_x.ravel(), centre_y.ravel()], axis=1)
    # Central difference: a homography's scale changes along the move.
    moved = (ground.to_ground(centres + half) - ground.to_ground(centres - half)) / flow.dt_s
    moved = np.where(np.isfinite(moved), moved, 0.0)
    return moved[:, 0].reshape(shape), moved[:, 1].reshape(shape)


def _cell_means(values: FlowGrid, shape: tuple[int, int]) -> FloatGrid:
    """The mean of `values` over each of `shape`'s cells laid evenly over it."""
    rows, cols = shape
    resized = cv2.resize(
        np.asarray(values, dtype=np.float32), (cols, rows), interpolation=cv2.INTER_AREA
    )
    return np.asarray(resized, dtype=np.float64)


def measure_motion(
    flow: FlowField,
    people: FloatGrid,
    geometry: SiteGeometry,
    ground: GroundModel,
    min_density: float,
) -> MotionSample:
    """`people`: people per density cell inside the region (see `region_people`). Pressure is
    taken only where the window holds at least `min_density` persons/m²: below that people can
    step round each other, and two streams walking past each other are no turbulence."""
    if people.shape != geometry.density_shape:
        raise ValueError(
            f"people grid shape {people.shape} does not match the site geometry "
            f"{geometry.density_shape}"
        )
    if flow.dt_s <= 0:
        raise ValueError(f"flow interval must be positive, got {flow.dt_s} s")
    vx, vy = cell_velocities(flow, ground, geometry.density_shape)
    speed = np.hypot(vx, vy)
    total = float(people.sum())
    mean_speed = float((people * speed).sum() / total) if total > 0 else 0.0

    people_w = ground_window_sums(people, geometry)
    area_w = ground_window_sums(geometry.cell_area_m2, geometry)
    momentum_x = ground_window_sums(people * vx, geometry)
    momentum_y = ground_window_sums(people * vy, geometry)
    energy = ground_window_sums(people * speed**2, geometry)
    valid = measurable_windows(area_w, geometry) & (people_w >= MIN_WINDOW_PEOPLE)
    valid &= people_w >= min_density * np.maximum(area_w, 1e-9)
    if not valid.any():
        pressure = 0.0
    else:
        n = people_w[valid]
        mean_x, mean_y = momentum_x[valid] / n, momentum_y[valid] / n
        variance = np.maximum(energy[valid] / n - mean_x**2 - mean_y**2, 0.0)
        pressure = float(np.max(n / area_w[valid] * variance))
    return MotionSample(speed_m_s=mean_speed, pressure=pressure)
