"""The whole YAML file: map, estimator and sites."""

from __future__ import annotations

from pydantic import Field, model_validator

from monitor.config.base import Section
from monitor.config.history import HistoryConfig
from monitor.config.notify import NotifyConfig
from monitor.config.recording import RetentionConfig
from monitor.config.response import AlertsConfig, PlatformConfig
from monitor.config.site import SiteConfig


class MapConfig(Section):
    center: tuple[float, float] = Field(
        default=(28.1955, 112.9765), description="Initial map centre [lat, lon]."
    )
    zoom: int = Field(default=15, ge=1, le=20, description="Initial zoom level.")
    tile_url: str = Field(
        default="",
        max_length=512,
        description="XYZ tile template, e.g. 'https://tile.example/{z}/{x}/{y}.png'. Empty: no "
        "tiles, a plain background (the page works offline).",
    )
    tile_attribution: str = Field(
        default="", max_length=512, description="Attribution for the tiles."
    )


class EstimatorConfig(Section):
    name: str = Field(
        default="default",
        min_length=1,
        max_length=64,
        description="Density estimator: 'default' (the shipped model), 'hog' (OpenCV's people "
        "detector), or another registered name.",
    )
    model_path: str | None = Field(
        default=None, max_length=1024, description="Model file overriding the estimator's default."
    )
    threads: int = Field(
        default=1, ge=1, le=64, description="CPU threads the estimator may use per frame."
    )
    concurrent_frames: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="Frames estimated at once across all sites; further sites wait their turn "
        "(each frame in flight holds its own working memory, about 70 MB for the shipped model "
        "at 768x576). Default: the CPU cores divided by `threads`.",
    )


class AppConfig(Section):
    map: MapConfig = Field(default_factory=MapConfig, description="The live map.")
    estimator: EstimatorConfig = Field(
        default_factory=EstimatorConfig, description="Density estimation, shared by all sites."
    )
    sites: list[SiteConfig] = Field(min_length=1, max_length=256, description="Monitored sites.")
    retention: RetentionConfig = Field(
        default_factory=RetentionConfig, description="How long recordings are kept."
    )
    history: HistoryConfig = Field(
        default_factory=HistoryConfig, description="How long stored readings are kept."
    )

    platforms: list[PlatformConfig] = Field(
        default_factory=list,
        max_length=256,
        description="Police response platforms that alerts are dispatched to.",
    )
    alerts: AlertsConfig = Field(
        default_factory=AlertsConfig, description="Alert handling shared by all sites."
    )
    notify: NotifyConfig = Field(
        default_factory=NotifyConfig,
        description="Webhooks told of alerts and camera outages.",
    )

    @model_validator(mode="after")
    def _unique_platform_ids(self) -> AppConfig:
        ids = [p.id for p in self.platforms]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"platform id '{repeated[0]}' is used more than once")
        return self

    @model_validator(mode="after")
    def _unique_site_ids(self) -> AppConfig:
        seen: set[str] = set()
        for site in self.sites:
            if site.id in seen:
                raise ValueError(f"site id '{site.id}' is used more than once")
            seen.add(site.id)
        return self

    @model_validator(mode="after")
    def _webhook_filters_exist(self) -> AppConfig:
        # A misspelt site or level would silently filter everything out: the desk it was
        # meant for would never hear of anything.
        site_ids = [site.id for site in self.sites]
        level_names = sorted(
            {
                level.name
                for site in self.sites
                for levels in (
                    site.thresholds.levels,
                    *(s.levels for s in site.thresholds.schedules if s.levels is not None),
                )
                for level in levels
            }
        )
        for i, webhook in enumerate(self.notify.webhooks):
            for site_id in webhook.sites:
                if site_id not in site_ids:
                    raise ValueError(
                        f"notify.webhooks[{i}].sites: no site '{site_id}' "
                        f"(sites: {', '.join(site_ids)})"
                    )
            for name in webhook.levels:
                if name not in level_names:
                    raise ValueError(
                        f"notify.webhooks[{i}].levels: no site has a level '{name}' "
                        f"(levels: {', '.join(level_names)})"
                    )
        return self

    def site(self, site_id: str) -> SiteConfig:
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(site_id)
