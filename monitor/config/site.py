"""One monitored site: the `sites[]` section."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section
from monitor.config.thresholds import ThresholdsConfig

Point = tuple[float, float]


class SiteName(Section):
    en: str = Field(min_length=1, max_length=120, description="English name.")
    zh: str = Field(default="", max_length=120, description="Chinese name.")


class LocationConfig(Section):
    lat: float = Field(ge=-90, le=90, description="WGS-84 latitude of the camera's view.")
    lon: float = Field(ge=-180, le=180, description="WGS-84 longitude of the camera's view.")
    approximate: bool = Field(
        default=False, description="True when the position is only roughly known."
    )


class GroundPoint(Section):
    image: Point = Field(description="Pixel position [x, y] in the camera image.")
    ground: Point = Field(
        description="The same point on the ground, [x, y] in metres (local frame)."
    )


class GroundConfig(Section):
    """How image pixels map to ground area: a walkable area, or a homography."""

    area_m2: float | None = Field(
        default=None,
        gt=0,
        le=1_000_000,
        description="Walkable ground area of the region of interest in m², used when "
        "there is no calibration (assumes the whole region is at one scale).",
    )
    calibration: list[GroundPoint] | None = Field(
        default=None,
        min_length=4,
        max_length=64,
        description="Four or more image-to-ground point pairs; fits a ground-plane homography.",
    )

    @model_validator(mode="after")
    def _one_scale(self) -> GroundConfig:
        if self.area_m2 is None and self.calibration is None:
            raise ValueError("give area_m2 or calibration (4+ point pairs)")
        return self


class SiteConfig(Section):
    id: str = Field(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Stable identifier used in URLs and the store.",
    )
    name: SiteName = Field(description="Display names.")
    location: LocationConfig = Field(description="Where the site is on the map.")
    source: str = Field(
        min_length=1,
        max_length=2048,
        description="What OpenCV opens: a file path, an rtsp:// or http(s):// URL, a device "
        "index ('0'), or 'sample:NAME' for a bundled sample clip.",
    )
    start_offset_s: float = Field(
        default=0.0,
        ge=0,
        le=86_400,
        description="For file sources: where playback starts, so sites can share a clip.",
    )
    analysis_fps: float = Field(
        default=2.0, gt=0, le=30, description="Frames analysed per second (the newest frame wins)."
    )
    roi: list[Point] = Field(
        min_length=3,
        max_length=256,
        description="Region of interest: polygon [[x, y], ...] in image pixels.",
    )
    ground: GroundConfig = Field(description="Ground scale for persons per m².")
    peak_window_m: float = Field(
        default=3.0,
        gt=0.5,
        le=50,
        description="Side of the square ground window over which peak density is taken, in metres.",
    )
    count_scale: float = Field(
        default=1.0,
        ge=0.05,
        le=20,
        description="Per-site correction multiplied into the density map, as fitted by "
        "`crowd-monitor calibrate` from a few annotated frames of this camera.",
    )
    thresholds: ThresholdsConfig = Field(description="Alert levels for this site.")

    @field_validator("roi")
    @classmethod
    def _roi_has_area(cls, roi: list[Point]) -> list[Point]:
        twice_area = sum(
            x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(roi, [*roi[1:], roi[0]], strict=True)
        )
        if abs(twice_area) < 2.0:
            raise ValueError("roi polygon has no area (points collinear or repeated)")
        if any(x < 0 or y < 0 for x, y in roi):
            raise ValueError("roi points must be non-negative pixel coordinates")
        return roi
