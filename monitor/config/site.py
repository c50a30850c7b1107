"""One monitored site: the `sites[]` section."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Section
from monitor.config.motion import MotionConfig
from monitor.config.quality import ImageQualityConfig
from monitor.config.recording import RecordingConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.config.trend import TrendConfig

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
    ground: Point | None = Field(
        default=None,
        description="The same point on the ground, [east, north] in metres from the site's "
        "location. Give this or lat_lon.",
    )
    lat_lon: Point | None = Field(
        default=None,
        description="The same point on the ground as WGS-84 [lat, lon], e.g. clicked on the "
        "map. Give this or ground.",
    )

    @model_validator(mode="after")
    def _one_ground_position(self) -> GroundPoint:
        if (self.ground is None) == (self.lat_lon is None):
            raise ValueError("give exactly one of ground (metres) or lat_lon")
        if self.lat_lon is not None:
            lat, lon = self.lat_lon
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"lat_lon {list(self.lat_lon)} is not a WGS-84 [lat, lon]")
        return self


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
    exclude: list[list[Point]] = Field(
        default_factory=list,
        max_length=32,
        description="Areas inside the region that are not counted (a fountain, a road lane "
        "with cars): polygons [[x, y], ...] in image pixels.",
    )
    timezone: str = Field(
        default="Asia/Shanghai",
        min_length=1,
        max_length=64,
        description="IANA time zone of the site's wall clock, for threshold schedules.",
    )
    recording: RecordingConfig = Field(
        default_factory=RecordingConfig, description="What video of this site is recorded."
    )
    image_quality: ImageQualityConfig = Field(
        default_factory=ImageQualityConfig,
        description="When the picture is too poor (blank, grainy, starved) to trust the count.",
    )
    trend: TrendConfig = Field(
        default_factory=TrendConfig,
        description="How the metric's trend is projected onto the levels, to warn early.",
    )
    motion: MotionConfig = Field(
        default_factory=MotionConfig,
        description="How the crowd's speed and crowd pressure (turbulence) are measured.",
    )

    @field_validator("roi")
    @classmethod
    def _roi_has_area(cls, roi: list[Point]) -> list[Point]:
        _check_polygon("roi", roi)
        return roi

    @field_validator("exclude")
    @classmethod
    def _exclusions_have_area(cls, exclude: list[list[Point]]) -> list[list[Point]]:
        for index, polygon in enumerate(exclude):
            if not 3 <= len(polygon) <= 256:
                raise ValueError(f"exclude {index}: a polygon needs 3 to 256 points")
            _check_polygon(f"exclude {index}", polygon)
        return exclude

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{timezone}' (use an IANA name)") from None
        return timezone


def _check_polygon(what: str, polygon: list[Point]) -> None:
    twice_area = sum(
        x0 * y1 - x1 * y0
        for (x0, y0), (x1, y1) in zip(polygon, [*polygon[1:], polygon[0]], strict=True)
    )
    if abs(twice_area) < 2.0:
        raise ValueError(f"{what} polygon has no area (points collinear or repeated)")
    if any(x < 0 or y < 0 for x, y in polygon):
        raise ValueError(f"{what} points must be non-negative pixel coordinates")
