"""How a site's crowd motion is measured: the `sites[].motion` section.

Density says how packed a crowd is; motion says whether it is still flowing. A dense crowd
whose people are shoved in different directions (crowd turbulence) is the step before a
crush, and it shows in the video before it shows in the count.
"""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class MotionConfig(Section):
    enabled: bool = Field(
        default=True,
        description="Measure the crowd's speed and crowd pressure from the optical flow "
        "between analysed frames (about 3 ms a frame).",
    )
    max_gap_s: float = Field(
        default=2.0,
        gt=0,
        le=10,
        description="Longest time between two analysed frames for their flow to count as the "
        "crowd's motion; after a longer gap (a stall, a reconnect) the next reading has none.",
    )
    window_s: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="Seconds over which crowd pressure is the median of the analysed frames' "
        "(0: each frame's own): one frame's is noisy, and a turbulence flag should not blink.",
    )
    flow_width: int = Field(
        default=320,
        ge=64,
        le=1280,
        description="Width in pixels of the grey copy of each frame the flow runs on: wider "
        "sees far people's steps better and costs more.",
    )
    pressure_limit: float = Field(
        default=0.02,
        gt=0,
        le=10,
        description="Crowd pressure (density x velocity variance, 1/s²) from which the crowd "
        "is shown as turbulent. Helbing et al. (2007) saw crowd turbulence from about 0.02/s².",
    )
    pressure_min_density: float = Field(
        default=2.0,
        ge=0,
        le=10,
        description="Persons/m² below which crowd pressure is not taken: a sparse crowd can "
        "step round itself, and two streams walking past each other are no turbulence.",
    )
    steady_camera: bool = Field(
        default=True,
        description="Take the camera's own motion (a pole swaying, a PTZ camera turned or "
        "zoomed) out of the flow, from the flow of the empty ground it sees; otherwise the "
        "whole picture moving reads as the crowd walking, or pushed apart.",
    )
    alert: bool = Field(
        default=True,
        description="Raise an alert (level 'turbulent', with the same response steps as a "
        "density alert) while the crowd pressure stays at or above `pressure_limit`. Off, "
        "turbulence is only shown (and sent to webhooks that ask for it); turning this or the "
        "motion off clears a turbulence alert still on.",
    )
    alert_hold_s: float = Field(
        default=10.0,
        ge=0,
        le=600,
        description="How long the crowd pressure must stay at or above the limit before the "
        "alert is raised, and below `alert_clear_ratio` of it before the alert clears.",
    )
    alert_clear_ratio: float = Field(
        default=0.75,
        ge=0.1,
        le=0.95,
        description="Fraction of `pressure_limit` below which a turbulence alert's crowd counts "
        "as calm again (hysteresis): a crowd on the edge of the limit raises one alert, not many.",
    )
    alert_cooldown_s: float = Field(
        default=300.0,
        ge=0,
        le=86_400,
        description="After a turbulence alert clears, how long before the site may raise a new "
        "one.",
    )
