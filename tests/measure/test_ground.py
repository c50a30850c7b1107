from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from monitor.config.site import GroundConfig, GroundPoint
from monitor.measure.geo import to_lat_lon
from monitor.measure.ground import CalibrationError, fit_homography, ground_model, polygon_area

# A 10 m x 20 m rectangle on the ground seen in perspective: its far side looks shorter.
IMAGE_TRAPEZOID = [(100.0, 500.0), (700.0, 500.0), (600.0, 200.0), (200.0, 200.0)]
GROUND_RECTANGLE = [(0.0, 0.0), (10.0, 0.0), (10.0, 20.0), (0.0, 20.0)]


def test_homography_maps_calibration_points_exactly() -> None:
    model = fit_homography(IMAGE_TRAPEZOID, GROUND_RECTANGLE)
    assert model.calibrated
    np.testing.assert_allclose(
        model.to_ground(np.array(IMAGE_TRAPEZOID)), GROUND_RECTANGLE, atol=1e-6
    )
    assert model.fit_error_m < 1e-6


def test_homography_area_of_known_rectangle() -> None:
    model = fit_homography(IMAGE_TRAPEZOID, GROUND_RECTANGLE)
    assert polygon_area(model.to_ground(np.array(IMAGE_TRAPEZOID))) == pytest.approx(200.0)


def test_noisy_points_report_fit_error_in_metres() -> None:
    noisy = [*GROUND_RECTANGLE, (5.0, 10.0)]
    image = [*IMAGE_TRAPEZOID, (400.0, 300.0)]  # not the true image of (5, 10): an outlier
    model = fit_homography(image, noisy)
    assert 0.05 < model.fit_error_m < 5.0


@pytest.mark.parametrize(
    ("image", "ground", "message"),
    [
        pytest.param(IMAGE_TRAPEZOID[:3], GROUND_RECTANGLE[:3], "at least 4", id="three-points"),
        pytest.param(IMAGE_TRAPEZOID, GROUND_RECTANGLE[:3], "differ in length", id="mismatched"),
        pytest.param(
            [(0.0, 0.0), (100.0, 100.0), (200.0, 200.0), (0.0, 300.0)],
            GROUND_RECTANGLE,
            "image points are on one line",
            id="collinear-image",
        ),
        pytest.param(
            IMAGE_TRAPEZOID,
            [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (0.0, 20.0)],
            "ground points are on one line",
            id="collinear-ground",
        ),
    ],
)
def test_degenerate_calibrations_are_refused(
    image: list[tuple[float, float]], ground: list[tuple[float, float]], message: str
) -> None:
    with pytest.raises(CalibrationError, match=message):
        fit_homography(image, ground)


def test_points_beyond_horizon_have_no_ground_position() -> None:
    model = fit_homography(IMAGE_TRAPEZOID, GROUND_RECTANGLE)
    far_above = model.to_ground(np.array([[400.0, -5000.0]]))
    assert np.isnan(far_above).all()


def test_uniform_scale_spreads_area_over_region() -> None:
    roi = [(0.0, 0.0), (200.0, 0.0), (200.0, 100.0), (0.0, 100.0)]
    model = ground_model(GroundConfig(area_m2=50.0), roi)
    assert not model.calibrated
    assert polygon_area(model.to_ground(np.array(roi))) == pytest.approx(50.0)


def test_five_points_on_one_line_are_refused() -> None:
    image = [(float(x), 2.0 * x) for x in range(0, 500, 100)]
    ground = [(float(x), 0.0) for x in range(5)]
    with pytest.raises(CalibrationError, match="do not define a ground plane"):
        fit_homography(image, ground)


def test_to_image_inverts_to_ground() -> None:
    model = fit_homography(IMAGE_TRAPEZOID, GROUND_RECTANGLE)
    np.testing.assert_allclose(model.to_image(np.array(GROUND_RECTANGLE)), IMAGE_TRAPEZOID)
    uniform = ground_model(GroundConfig(area_m2=50.0), IMAGE_TRAPEZOID)
    point = np.array([[123.0, 45.0]])
    np.testing.assert_allclose(uniform.to_image(uniform.to_ground(point)), point)


def test_lat_lon_points_fit_in_metres_around_the_site() -> None:
    origin = (28.196, 112.9768)
    calibration = GroundConfig.model_validate(
        {
            "calibration": [
                {"image": list(image), "lat_lon": list(to_lat_lon(ground, origin))}
                for image, ground in zip(IMAGE_TRAPEZOID, GROUND_RECTANGLE, strict=True)
            ]
        }
    )
    model = ground_model(calibration, IMAGE_TRAPEZOID, origin)
    assert polygon_area(model.to_ground(np.array(IMAGE_TRAPEZOID))) == pytest.approx(200.0)
    with pytest.raises(CalibrationError, match="needs the site's location"):
        ground_model(calibration, IMAGE_TRAPEZOID)


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        pytest.param({"image": [0, 0]}, "exactly one of", id="neither"),
        pytest.param(
            {"image": [0, 0], "ground": [0, 0], "lat_lon": [28.1, 112.9]},
            "exactly one of",
            id="both",
        ),
        pytest.param({"image": [0, 0], "lat_lon": [128.1, 112.9]}, "WGS-84", id="bad-lat"),
    ],
)
def test_calibration_pair_needs_one_ground_position(pair: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GroundPoint.model_validate(pair)
