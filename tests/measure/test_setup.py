from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from monitor.config.site import SiteConfig
from monitor.measure.geo import to_local
from monitor.measure.ground import polygon_area
from monitor.measure.setup import (
    SetupError,
    check_site,
    field_of_view,
    ground_grid,
    polygon_lat_lon,
    region_area_m2,
)
from tests.support.config import minimal_site

FRAME = (800, 600)
# A 10 m x 20 m rectangle seen in perspective; its edges meet at the horizon y = 50.
IMAGE = [[100, 500], [700, 500], [500, 200], [300, 200]]
GROUND = [[0, 0], [10, 0], [10, 20], [0, 20]]
CALIBRATED: dict[str, Any] = {
    "roi": IMAGE,
    "ground": {
        "calibration": [{"image": i, "ground": g} for i, g in zip(IMAGE, GROUND, strict=True)]
    },
}


def site(**changes: Any) -> SiteConfig:
    return SiteConfig.model_validate(minimal_site(**changes))


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        pytest.param(
            {**CALIBRATED, "roi": [[0, 0], [800, 0], [800, 600], [0, 600]]},
            "roi",
            "above the calibrated horizon",
            id="region-above-horizon",
        ),
        pytest.param(
            {
                "ground": {
                    "calibration": [
                        {"image": [0, 0], "ground": [0, 0]},
                        {"image": [100, 100], "ground": [1, 0]},
                        {"image": [200, 200], "ground": [1, 1]},
                        {"image": [0, 300], "ground": [0, 1]},
                    ]
                }
            },
            "ground.calibration",
            "on one line",
            id="degenerate-calibration",
        ),
    ],
)
def test_sites_that_cannot_run_are_refused_naming_the_field(
    changes: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(SetupError, match=reason) as raised:
        check_site(site(**changes))
    assert raised.value.field == field


def test_region_area_is_true_ground_area_less_exclusions() -> None:
    calibrated = site(**CALIBRATED)
    ground = check_site(calibrated)
    assert ground.fit_error_m < 1e-6
    assert region_area_m2(calibrated, ground, FRAME) == pytest.approx(200.0, rel=0.01)
    # Cut out the near half of the rectangle (image y 500 is ground y 0 ... y 200 is 20 m).
    near_y = float(ground.to_image(np.array([[5.0, 10.0]]))[0, 1])
    hole = [[0, near_y], [800, near_y], [800, 600], [0, 600]]
    with_hole = site(**CALIBRATED, exclude=[hole])
    assert region_area_m2(with_hole, ground, FRAME) == pytest.approx(100.0, rel=0.02)


def test_uncalibrated_area_is_the_configured_one() -> None:
    plain = site()
    assert region_area_m2(plain, check_site(plain), (160, 120)) == pytest.approx(100.0)


def test_grid_lines_lie_on_whole_metres() -> None:
    ground = check_site(site(**CALIBRATED))
    grid = ground_grid(ground, [(float(x), float(y)) for x, y in IMAGE])
    assert grid.spacing_m == 1.0
    assert len(grid.lines) == 11 + 21  # x = 0..10 and y = 0..20
    for line in grid.lines:
        on_ground = ground.to_ground(np.array(line))
        on_a_metre = np.isclose(on_ground, np.round(on_ground), atol=0.02)
        assert on_a_metre[:, 0].all() or on_a_metre[:, 1].all()


def test_grid_coarsens_for_a_large_region() -> None:
    big = site()  # 100 m² over 100 x 80 px: 0.11 m per pixel, so 5000 px is 560 m
    ground = check_site(big)
    grid = ground_grid(ground, [(0.0, 0.0), (5000.0, 0.0), (5000.0, 4000.0), (0.0, 4000.0)])
    assert grid.spacing_m > 1.0
    assert len(grid.lines) <= 400


def test_field_of_view_covers_the_region_on_the_map() -> None:
    calibrated = site(**CALIBRATED)
    ground = check_site(calibrated)
    origin = (calibrated.location.lat, calibrated.location.lon)
    view = field_of_view(ground, FRAME, calibrated.roi, origin)
    region = polygon_lat_lon(ground, calibrated.roi, origin)
    assert len(view) >= 3
    view_m = np.array([to_local(p, origin) for p in view])
    region_m = np.array([to_local(p, origin) for p in region])
    assert polygon_area(region_m) == pytest.approx(200.0, rel=1e-3)
    assert polygon_area(view_m) > polygon_area(region_m)
    # Bounded: cut at twice the region's depth, not stretched to the horizon.
    assert np.abs(view_m).max() < 200


def test_uncalibrated_site_has_no_view_on_the_map() -> None:
    plain = site()
    ground = check_site(plain)
    assert field_of_view(ground, (160, 120), plain.roi, (28.0, 112.0)) == []
    assert polygon_lat_lon(ground, plain.roi, (28.0, 112.0)) == []
