"""One site's crowd motion from one analysed frame to the next: no I/O, no clock.

Holds what following needs between frames (the last frame's small grey copy and the
pressure window) and the rules for when there is nothing to follow: motion off, a covered
lens, a gap or a new picture size. The site worker and the benchmarks share it.
"""

from __future__ import annotations

from monitor.config.motion import MotionConfig
from monitor.density.base import Frame
from monitor.density.crowd_mask import PeopleGrid
from monitor.measure.geometry import FloatGrid, SiteGeometry
from monitor.measure.ground import GroundModel
from monitor.motion.camera import camera_motion, steadied
from monitor.motion.flow import FlowFrame, can_follow, flow_frame, optical_flow
from monitor.motion.measure import Motion, measure_motion
from monitor.motion.window import MotionWindow


class MotionTracker:
    def __init__(self) -> None:
        self._previous: FlowFrame | None = None
        self._window: MotionWindow | None = None

    def reset(self) -> None:
        """A new source: its first picture moves on from none."""
        self._previous = None
        if self._window is not None:
            self._window.clear()

    def follow(
        self,
        config: MotionConfig,
        image: Frame,
        captured_at: float,
        people: FloatGrid,
        geometry: SiteGeometry,
        ground: GroundModel,
        blank: bool = False,
        crowd: PeopleGrid | None = None,
    ) -> Motion | None:
        """The crowd's motion since the last frame followed; None without one to follow.
        `people`: people per density cell in the region (`Measurement.people`); `crowd`:
        over the whole frame (the density map), where the camera's own motion is told from
        the empty ground (None: the flow is taken as it is)."""
        if not config.enabled:
            self._previous = self._window = None
            return None
        window = self._window
        if window is None or window.window_s != config.window_s:
            window = self._window = MotionWindow(config.window_s)
        if blank:  # nothing moves in a covered lens, and the next picture moves on from none
            self.reset()
            return None
        current = flow_frame(image, config.flow_width, captured_at)
        previous, self._previous = self._previous, current
        if previous is None or not can_follow(previous, current, config.max_gap_s):
            window.clear()
            return None
        flow = optical_flow(previous, current)
        if config.steady_camera and crowd is not None:
            flow = steadied(flow, camera_motion(flow, current.grey, crowd))
        sample = measure_motion(flow, people, geometry, ground, config.pressure_min_density)
        motion = window.add(captured_at, sample, config.pressure_limit)
        # Rounded as readings store their other numbers: past this the flow says nothing.
        return Motion(round(motion.speed_m_s, 3), round(motion.pressure, 4), motion.turbulent)
