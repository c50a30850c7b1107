"""Whether a camera still looks where its site was set up: the view against a reference.

A site's region, exclusions and ground calibration are drawn on one view of the scene. A
pan-tilt-zoom camera left off its preset, a mount knocked or sagging, or a stream that now
comes from another camera makes all of them wrong without the picture looking poor: the
count is then of pavement the region was never drawn on. The pure stages here compare a
frame with the set-up view by the scene's fixed structure: ORB corners (kerbs, windows,
street furniture) matched between the two and a similarity transform fitted to the matches
by RANSAC. Pedestrians are no help and no harm: the people of the reference frame are gone,
so their corners find no partner and RANSAC leaves the few chance matches out.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import Frame
from monitor.density.crowd_mask import PeopleGrid, crowd_mask

# The corners are found on a copy this wide: street structure survives it, and the cost
# stays a few milliseconds whatever the camera's resolution.
PRINT_WIDTH = 480
MAX_CORNERS = 800
# Lowe's ratio test: a corner whose best partner is not clearly better than its second
# best is ambiguous (a row of identical windows) and left out.
_RATIO = 0.8
# Fewer agreeing matches than this say nothing either way (a dark or featureless frame).
MIN_INLIERS = 12
# A frame with fewer corners than this (a bare wall, the dark) can be neither matched nor
# told apart from another: it is not checked, rather than flagged.
MIN_PRINT_CORNERS = 3 * MIN_INLIERS
_RANSAC_PX = 3.0  # at the print's width

Transform = npt.NDArray[np.float64]  # 2x3: reference frame pixels -> this frame's pixels


@dataclass(frozen=True, slots=True)
class ViewPrint:
    """One frame's fixed structure, as corners to match against another frame's."""

    points: npt.NDArray[np.float32]  # (n, 2), in the frame's own pixels
    descriptors: npt.NDArray[np.uint8]  # (n, 32) ORB
    width: int
    height: int

    @property
    def checkable(self) -> bool:
        return len(self.points) >= MIN_PRINT_CORNERS


def view_print(image: Frame, people: PeopleGrid | None = None) -> ViewPrint:
    """The corners of a BGR or grey frame; where `people` (the frame's density map, people
    per cell) sees anyone, none are taken: a dense crowd's heads would use up the corners
    the kerbs and facades behind it need."""
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    scale = min(1.0, PRINT_WIDTH / width)
    small = grey
    if scale < 1.0:
        size = (PRINT_WIDTH, max(1, round(height * scale)))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    # Local contrast equalised, so the same kerb at dusk and at noon gives the same corners.
    small = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(small)
    where = None
    if people is not None:
        size = (small.shape[1], small.shape[0])
        where = np.where(crowd_mask(people, size, margin_px=3), 0, 255).astype(np.uint8)
    orb = cv2.ORB.create(nfeatures=MAX_CORNERS, fastThreshold=10)
    keypoints, descriptors = orb.detectAndCompute(small, where)
    if descriptors is None or not keypoints:
        return ViewPrint(
            points=np.zeros((0, 2), np.float32),
            descriptors=np.zeros((0, 32), np.uint8),
            width=width,
            height=height,
        )
    points = np.array([kp.pt for kp in keypoints], dtype=np.float32) / scale
    return ViewPrint(
        points=points, descriptors=descriptors.astype(np.uint8), width=width, height=height
    )


def match_view(reference: ViewPrint, current: ViewPrint) -> Transform | None:
    """The similarity transform taking the reference's pixels to the current frame's, or
    None when too few corners agree to say (another scene, or one too dark to tell)."""
    if len(reference.points) < MIN_INLIERS or len(current.points) < MIN_INLIERS:
        return None
    # A stream that changed resolution but not aim has not moved: compare at one size.
    to_current = np.array(
        [current.width / reference.width, current.height / reference.height], np.float32
    )
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(current.descriptors, reference.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < _RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    source = reference.points[[m.trainIdx for m in good]] * to_current
    target = current.points[[m.queryIdx for m in good]]
    threshold = _RANSAC_PX * max(1.0, current.width / PRINT_WIDTH)
    transform, inliers = cv2.estimateAffinePartial2D(
        source,
        target,
        method=cv2.RANSAC,
        ransacReprojThreshold=threshold,
        maxIters=2000,
        confidence=0.995,
    )
    if transform is None or inliers is None or int(inliers.sum()) < MIN_INLIERS:
        return None
    scaled: Transform = transform.astype(np.float64)
    # Back in the reference's own pixels on the input side, so transforms compose.
    scaled[:, 0] *= to_current[0]
    scaled[:, 1] *= to_current[1]
    return scaled


def compose(second: Transform, first: Transform) -> Transform:
    """`first`, then `second`."""
    first3 = np.vstack([first, [0.0, 0.0, 1.0]])
    result: Transform = (second @ first3)[:2]
    return result


def identity() -> Transform:
    return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def view_shift(transform: Transform, reference: ViewPrint, current: ViewPrint) -> float:
    """How far the view moved: the largest displacement of a frame corner, as a share of the
    frame's width (0.05: a corner is a twentieth of the picture away from where it was)."""
    w, h = reference.width, reference.height
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float64)
    moved = corners @ transform[:, :2].T + transform[:, 2]
    expected = corners * [current.width / w, current.height / h]
    return float(np.max(np.linalg.norm(moved - expected, axis=1)) / current.width)
