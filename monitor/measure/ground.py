"""From image pixels to metres on the ground.

A calibrated site has a homography fitted from image/ground point pairs, so a cell near
the camera counts for less ground than one far away. An uncalibrated site spreads its
configured walkable area evenly over the region's pixels: one scale for the whole view.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.config.site import GroundConfig, GroundPoint, Point
from monitor.measure.geo import to_local

Points = npt.NDArray[np.float64]


class CalibrationError(ValueError):
    """Point pairs that cannot define a ground plane."""


def polygon_area(points: Points) -> float:
    x, y = points[:, 0], points[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)


def _has_collinear_triple(points: Points, tolerance: float) -> bool:
    count = len(points)
    for i in range(count):
        for j in range(i + 1, count):
            for k in range(j + 1, count):
                if polygon_area(points[[i, j, k]]) < tolerance:
                    return True
    return False


@dataclass(frozen=True, slots=True)
class GroundModel:
    """Maps image points to ground metres; `homography` is None for a uniform scale."""

    homography: npt.NDArray[np.float64] | None
    metres_per_pixel: float
    fit_error_m: float

    @property
    def calibrated(self) -> bool:
        return self.homography is not None

    def to_ground(self, image_points: Points) -> Points:
        """Points behind the horizon come back as NaN: they have no place on the ground."""
        points = np.asarray(image_points, dtype=np.float64).reshape(-1, 2)
        if self.homography is None:
            return points * self.metres_per_pixel
        homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ self.homography.T
        w = homogeneous[:, 2:3]
        with np.errstate(divide="ignore", invalid="ignore"):
            ground = homogeneous[:, :2] / w
        ground[(w <= 0).ravel()] = np.nan
        return ground

    def to_image(self, ground_points: Points) -> Points:
        """Ground metres back to pixels; points the camera cannot see come back as NaN."""
        points = np.asarray(ground_points, dtype=np.float64).reshape(-1, 2)
        if self.homography is None:
            return points / self.metres_per_pixel
        inverse = np.linalg.inv(self.homography)
        homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ inverse.T
        w = homogeneous[:, 2:3]
        with np.errstate(divide="ignore", invalid="ignore"):
            image = homogeneous[:, :2] / w
        # The forward map sends the visible side to w > 0; map back and check the side.
        seen = (np.hstack([image, np.ones((len(image), 1))]) @ self.homography[2]) > 0
        image[~seen | ~np.isfinite(image).all(axis=1)] = np.nan
        return image


def _rank_deficient(image: Points, ground: Points) -> bool:
    """True when the pairs leave the homography undetermined (e.g. all on one line).

    The direct linear transform of normalised points has a one-dimensional null space
    exactly when the homography is unique.
    """

    def normalise(points: Points) -> Points:
        centred: Points = points - points.mean(axis=0)
        spread = float(np.sqrt((centred**2).sum(axis=1)).mean())
        return centred / spread if spread > 0 else centred

    a, b = normalise(image), normalise(ground)
    rows = []
    for (x, y), (u, v) in zip(a, b, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    singular = np.linalg.svd(np.asarray(rows), compute_uv=False)
    return bool(singular[-2] < 1e-6 * singular[0])


def fit_homography(image_points: list[Point], ground_points: list[Point]) -> GroundModel:
    """Least-squares homography over all pairs, with its RMS error on the ground in metres."""
    if len(image_points) != len(ground_points):
        raise CalibrationError("image and ground point lists differ in length")
    if len(image_points) < 4:
        raise CalibrationError(f"need at least 4 point pairs, got {len(image_points)}")
    image = np.asarray(image_points, dtype=np.float64)
    ground = np.asarray(ground_points, dtype=np.float64)
    if _has_collinear_triple(image, tolerance=1.0) and len(image) == 4:
        raise CalibrationError("three of the four image points are on one line")
    if _has_collinear_triple(ground, tolerance=0.01) and len(ground) == 4:
        raise CalibrationError("three of the four ground points are on one line")
    if _rank_deficient(image, ground):
        raise CalibrationError(
            "the points do not define a ground plane: spread them out, no three on one line"
        )
    found, _ = cv2.findHomography(image, ground, 0)
    if found is None:
        raise CalibrationError("the points do not define a ground plane (degenerate layout)")
    matrix: npt.NDArray[np.float64] = np.asarray(found, dtype=np.float64)
    if not np.all(np.isfinite(matrix)) or abs(np.linalg.det(matrix)) < 1e-12:
        raise CalibrationError("the points do not define a ground plane (degenerate layout)")
    # A homography is defined up to scale, sign included: make the calibration points'
    # side of the horizon the positive one, so "behind the horizon" means w <= 0.
    w = np.hstack([image, np.ones((len(image), 1))]) @ matrix[2]
    if np.all(w < 0):
        matrix = -matrix
    model = GroundModel(homography=matrix, metres_per_pixel=float("nan"), fit_error_m=0.0)
    projected = model.to_ground(image)
    if np.isnan(projected).any():
        raise CalibrationError("some calibration points fall behind the fitted horizon")
    error = float(np.sqrt(np.mean(np.sum((projected - ground) ** 2, axis=1))))
    return GroundModel(homography=matrix, metres_per_pixel=float("nan"), fit_error_m=error)


def uniform_scale(area_m2: float, roi: list[Point]) -> GroundModel:
    pixel_area = polygon_area(np.asarray(roi, dtype=np.float64))
    return GroundModel(
        homography=None, metres_per_pixel=float(np.sqrt(area_m2 / pixel_area)), fit_error_m=0.0
    )


def calibration_pairs(
    calibration: list[GroundPoint], origin: Point | None
) -> tuple[list[Point], list[Point]]:
    """Image points and their ground positions in metres east/north of `origin` [lat, lon]."""
    image: list[Point] = []
    ground: list[Point] = []
    for index, pair in enumerate(calibration):
        image.append(pair.image)
        if pair.ground is not None:
            ground.append(pair.ground)
        elif pair.lat_lon is not None and origin is not None:
            ground.append(to_local(pair.lat_lon, origin))
        else:
            raise CalibrationError(f"point {index}: lat_lon needs the site's location")
    return image, ground


def ground_model(
    ground: GroundConfig, roi: list[Point], origin: Point | None = None
) -> GroundModel:
    """`origin` is the site's [lat, lon], the frame map-clicked points are converted into."""
    if ground.calibration is not None:
        return fit_homography(*calibration_pairs(ground.calibration, origin))
    assert ground.area_m2 is not None, "GroundConfig guarantees one of the two"
    return uniform_scale(ground.area_m2, roi)
