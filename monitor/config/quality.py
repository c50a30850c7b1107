"""When a site's picture is too poor to trust its count: the `sites[].image_quality` section.

The defaults come from `bench/quality_bench.py`: past them, a third or more of the
validation images' counts move by over 10% (see models/README.md, "Image quality").
"""

from __future__ import annotations

from pydantic import Field

from monitor.config.base import Section


class ImageQualityConfig(Section):
    enabled: bool = Field(
        default=True, description="Assess every analysed frame and flag a poor picture."
    )
    window_frames: int = Field(
        default=10,
        ge=1,
        le=600,
        description="Analysed frames whose median is judged, so one odd frame flags nothing "
        "(blank is judged on each frame alone).",
    )
    noise_limit: float = Field(
        default=4.5,
        gt=0,
        le=100,
        description="Sensor noise (grey-level standard deviation in the flattest tenth of the "
        "frame) above which the picture is flagged grainy: night, high gain.",
    )
    detail_limit: float = Field(
        default=0.6,
        ge=0,
        le=5,
        description="Fine-detail ratio (finest edges over edges two octaves coarser; about "
        "0.7-1.1 in a good picture) below which fine detail counts as lost: a starved stream, "
        "blur or defocus. Counts then read low.",
    )
    blocking_limit: float = Field(
        default=1.75,
        gt=1,
        le=10,
        description="Edge strength on the 8-pixel coding grid over edge strength elsewhere "
        "(about 1.0-1.5 in a good picture) above which compression blocks are flagged.",
    )
    blank_spread_limit: float = Field(
        default=4.0,
        ge=0,
        le=100,
        description="Grey-level spread of the downscaled frame below which the picture counts "
        "as blank: lens covered, camera blinded or pointing at a wall. Its count is then "
        "meaningless, usually zero.",
    )
    view_check: bool = Field(
        default=True,
        description="Compare the view with the one the site was set up on, and flag a camera "
        "moved off it (a PTZ preset left, a knocked mount, another camera on the stream): "
        "the region and calibration then no longer fit. Off for a camera that patrols.",
    )
    view_shift_limit: float = Field(
        default=0.03,
        ge=0.005,
        le=0.5,
        description="How far a frame corner may be from where it was in the set-up view, as a "
        "share of the frame's width, before the view is flagged as moved (0.03: 23 pixels of "
        "a 768-wide frame). A view no longer recognised at all is flagged too.",
    )
