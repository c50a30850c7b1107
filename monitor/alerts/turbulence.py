"""Turbulence alerts: a site's crowd pressure run through the same alert engine as density.

A site has two alert engines: one on its density thresholds, one on its crowd pressure with a
single level, 'turbulent', entered at the site's `motion.pressure_limit`. Each follows at most
one active alert, so a crowd both packed and turbulent has two alerts, each with its own
response: the platform sent for the density may not be the one a crush calls for. Pure.
"""

from __future__ import annotations

from monitor.config.motion import MotionConfig
from monitor.config.thresholds import LevelConfig, ThresholdsConfig
from monitor.motion.measure import Motion

TURBULENCE_METRIC = "crowd_pressure"
TURBULENT_LEVEL = "turbulent"
TURBULENT_COLOR = "#ef4444"  # the red the map, wall and replay draw turbulence in


def turbulence_thresholds(config: MotionConfig) -> ThresholdsConfig:
    """The one-level thresholds a site's `motion` section sets for its crowd pressure."""
    return ThresholdsConfig(
        min_duration_s=config.alert_hold_s,
        cooldown_s=config.alert_cooldown_s,
        levels=[
            LevelConfig(
                name=TURBULENT_LEVEL,
                color=TURBULENT_COLOR,
                enter=config.pressure_limit,
                exit=config.pressure_limit * config.alert_clear_ratio,
            )
        ],
    )


def turbulence_value(config: MotionConfig, motion: Motion | None) -> float | None:
    """The value a reading gives the turbulence engine: its crowd pressure; 0 (calm) while the
    alert or the motion is off, so an alert still on clears; None when the reading says nothing
    of the crowd's motion (a gap, a blank picture), which holds the alert as it is."""
    if not (config.enabled and config.alert):
        return 0.0
    return None if motion is None else motion.pressure
