"""Request and response bodies of the site setup routes (region, calibration, source,
threshold preview). Everything that also crosses the websocket is in monitor.bus.messages."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from monitor.api.schemas import Body
from monitor.config.motion import MotionConfig
from monitor.config.site import GroundPoint, Point
from monitor.config.thresholds import ThresholdsConfig
from monitor.quality.view import MIN_PRINT_CORNERS

Polygon = Annotated[list[Point], Field(min_length=3, max_length=256)]


class RegionRequest(Body):
    roi: Polygon = Field(description="Region of interest, [[x, y], ...] image pixels.")
    exclude: list[Polygon] = Field(
        default_factory=list, max_length=32, description="Areas inside it not counted."
    )
    area_m2: float | None = Field(
        default=None,
        gt=0,
        le=1_000_000,
        description="The new region's walkable area, for a site without calibration; "
        "absent: the configured area stays.",
    )


class CalibrationRequest(Body):
    points: list[GroundPoint] = Field(
        min_length=4,
        max_length=64,
        description="Image points and the same points on the ground: `ground` in metres "
        "east/north of the site, or `lat_lon` as clicked on the map.",
    )
    grid_spacing_m: float = Field(
        default=1.0, ge=0.25, le=50, description="Spacing of the ground grid drawn back."
    )


class CalibrationFitPublic(Body):
    fit_error_m: float = Field(description="RMS distance, clicked vs fitted ground points.")
    residuals_m: list[float] = Field(description="Each pair's distance, in the order given.")
    region_area_m2: float = Field(description="Ground area the region would count.")
    frame_width: int
    frame_height: int
    grid_spacing_m: float = Field(description="As asked, or coarser for a large region.")
    grid: list[list[Point]] = Field(description="Ground grid lines, image pixel polylines.")
    field_of_view: list[Point] = Field(description="The camera's view on the map, [lat, lon].")
    roi_lat_lon: list[Point] = Field(description="The region on the map, [lat, lon].")


class SourceRequest(Body):
    source: str = Field(
        min_length=1,
        max_length=2048,
        description="What OpenCV opens: a file path, rtsp:// or http(s):// URL, a device "
        "index, or 'sample:NAME'.",
    )
    start_offset_s: float = Field(default=0.0, ge=0, le=86_400)


class SiteChangePublic(Body):
    at: float
    changed_by: str
    kind: str = Field(description="region, calibration or source.")
    old: dict[str, object] = Field(description="The changed fields before (sources masked).")
    new: dict[str, object] = Field(description="And after.")


class PreviewRequest(Body):
    thresholds: ThresholdsConfig = Field(description="The proposed thresholds.")
    window_s: float = Field(
        default=3600, ge=60, le=86_400, description="How far back to replay, seconds."
    )


class MotionPreviewRequest(Body):
    motion: MotionConfig = Field(description="The proposed motion section.")
    window_s: float = Field(
        default=3600, ge=60, le=86_400, description="How far back to replay, seconds."
    )


class WhatIfAlertPublic(Body):
    raised_at: float
    cleared_at: float | None = Field(description="Back to normal; null: still above.")
    raised_level: str
    peak_level: str
    peak_value: float


class WhatIfTransitionPublic(Body):
    at: float
    kind: str
    level: str
    value: float


class WhatIfPublic(Body):
    raised: int = Field(description="How many alerts would have been raised.")
    alerts: list[WhatIfAlertPublic]
    transitions: list[WhatIfTransitionPublic]
    final_level: str
    seconds_by_level: dict[str, float]


class PreviewPublic(Body):
    since: float
    until: float
    metric: str = Field(
        description="What `values` are: the proposed thresholds' metric, or crowd_pressure "
        "for a motion preview."
    )
    values: list[tuple[float, float]] = Field(description="[captured_at, value] replayed.")
    proposed: WhatIfPublic
    current: WhatIfPublic = Field(
        description="The site's thresholds (or motion section) now, over the same readings."
    )


class ViewReferencePublic(Body):
    """The view a site was set up on: the frame its region and calibration fit, which its
    camera is held to (README, "Picture quality")."""

    captured_at: float = Field(description="When the frame was captured, epoch seconds.")
    taken_at: float = Field(description="When it became the set-up view.")
    taken_by: str = Field(
        description="Who made it the set-up view: the supervisor who saved the region or "
        "calibration or took the view, or 'system' for the first frame the site showed."
    )
    width: int = Field(description="The frame's width, pixels.")
    height: int = Field(description="The frame's height, pixels.")
    corners: int = Field(
        description=f"Corners of fixed structure found on it. Under {MIN_PRINT_CORNERS} the "
        "view is too bare or too dark to hold the camera to, and is not checked."
    )
    checkable: bool = Field(description="Whether the camera can be held to it (enough corners).")
