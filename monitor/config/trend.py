"""How a site's rising crowd is projected onto its levels: the `sites[].trend` section.

Response platforms arrive in 1, 3 or 5 minutes, so a level crossed in four minutes must be
seen now. The defaults look back two minutes and forward five.
"""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class TrendConfig(Section):
    enabled: bool = Field(
        default=True, description="Estimate the trend of the site's metric on every reading."
    )
    window_s: float = Field(
        default=120,
        ge=10,
        le=1800,
        description="Seconds of readings the trend is fitted to: longer is steadier, shorter "
        "sees a surge sooner.",
    )
    horizon_s: float = Field(
        default=300,
        ge=10,
        le=3600,
        description="How far ahead a level crossing is projected; a later one is not shown. "
        "Set it to the slowest response platform's arrival time.",
    )
    min_rise: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Smallest change over the window that counts as rising or falling, as a "
        "share of the next level's enter value: smaller changes read as steady.",
    )
