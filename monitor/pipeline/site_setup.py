"""Changing a site's setup at run time: merge, validate, check, describe. No I/O.

A change arrives as a few SiteConfig fields (roi and exclude, ground, source). The whole
merged SiteConfig is validated again and its view checked against the ground model before
anything is applied, so a bad change is refused with the field it is about and the site
keeps running as it was.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from monitor.bus.convert import motion_settings_public, picture_limits_public
from monitor.bus.messages import CalibrationPointPublic, SiteSetupPublic
from monitor.config.site import SiteConfig
from monitor.ingest.redact import redact_source
from monitor.measure.geo import to_lat_lon, to_local
from monitor.measure.ground import GroundModel
from monitor.measure.setup import (
    SetupError,
    check_site,
    field_of_view,
    origin_of,
    polygon_lat_lon,
    region_area_m2,
)

Fields = dict[str, Any]


class SiteChangeError(ValueError):
    """A site change that cannot be applied; `field` names the part that is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def merged_site(site: SiteConfig, fields: Fields) -> SiteConfig:
    """`site` with `fields` replaced, validated as a whole."""
    data = site.model_dump(mode="json") | fields
    try:
        return SiteConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "site"
        raise SiteChangeError(where, first["msg"].removeprefix("Value error, ")) from None


def changed_site(
    site: SiteConfig, fields: Fields, frame_size: tuple[int, int] | None
) -> tuple[SiteConfig, GroundModel]:
    """The site after the change and its ground model; SiteChangeError when it cannot run.

    With a known frame size the geometry is built too, which also catches a region that
    exclusions cover entirely.
    """
    changed = merged_site(site, fields)
    try:
        ground = check_site(changed)
        if frame_size is not None:
            region_area_m2(changed, ground, frame_size)
    except SetupError as error:
        raise SiteChangeError(error.field, error.reason) from None
    return changed, ground


def changed_fields(
    before: SiteConfig, after: SiteConfig, names: list[str]
) -> tuple[Fields, Fields]:
    """The named fields before and after, as JSON values (for the history)."""
    old, new = before.model_dump(mode="json"), after.model_dump(mode="json")
    return {name: old[name] for name in names}, {name: new[name] for name in names}


def setup_public(
    site: SiteConfig,
    ground: GroundModel,
    frame_size: tuple[int, int] | None,
    active_schedule: str | None,
) -> SiteSetupPublic:
    origin = origin_of(site)
    calibration: list[CalibrationPointPublic] = []
    for pair in site.ground.calibration or []:
        if pair.ground is not None:
            local, lat_lon = pair.ground, to_lat_lon(pair.ground, origin)
        else:
            assert pair.lat_lon is not None, "GroundPoint guarantees one of the two"
            local, lat_lon = to_local(pair.lat_lon, origin), pair.lat_lon
        calibration.append(CalibrationPointPublic(image=pair.image, ground=local, lat_lon=lat_lon))
    area: float | None = None
    if frame_size is not None:
        try:
            area = round(region_area_m2(site, ground, frame_size), 2)
        except SetupError:
            area = None
    view_frame = frame_size or _extent(site)
    return SiteSetupPublic(
        source=redact_source(site.source),
        exclude=[list(polygon) for polygon in site.exclude],
        calibrated=ground.calibrated,
        calibration=calibration,
        calibration_error_m=round(ground.fit_error_m, 3) if ground.calibrated else None,
        area_m2=None if ground.calibrated else site.ground.area_m2,
        region_area_m2=area,
        field_of_view=field_of_view(ground, view_frame, site.roi, origin),
        roi_lat_lon=polygon_lat_lon(ground, site.roi, origin),
        timezone=site.timezone,
        active_schedule=active_schedule,
        picture_limits=picture_limits_public(site.image_quality),
        count_scale=site.count_scale,
        motion=motion_settings_public(site.motion),
    )


def _extent(site: SiteConfig) -> tuple[int, int]:
    """Before the first frame: the region's own extent stands in for the frame."""
    return (
        int(max(x for x, _ in site.roi)) + 1,
        int(max(y for _, y in site.roi)) + 1,
    )
