"""The camera's own motion between two frames, taken out of the flow: no I/O.

A camera on a pole sways in the wind, a pan-tilt-zoom one is turned or zoomed, and a shaky
mount jitters: all of it moves the whole picture, which the flow reads as the crowd walking
(a sway of 4 pixels between frames half a second apart is 0.4 m/s at 5 cm a pixel) and, for
a zoom or a turn, as a crowd pushed apart (pressure). The picture's own motion is what the
fixed ground does: so a similarity transform is fitted, by RANSAC, to the flow of textured
pixels where the density map sees nobody, and the flow it implies is subtracted everywhere.
Where too little empty ground is seen to tell (a crowd from edge to edge), the flow is left
as it was: a crowd walking as one must not be taken for the camera.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.crowd_mask import PeopleGrid, crowd_mask
from monitor.motion.flow import FlowField, GreyFrame

# Flow on flat pixels (sky, a plain wall) is guessed from around them; only edges say.
_MIN_GRADIENT = 24.0
_MAX_SAMPLES = 2000
_MIN_SAMPLES = 150
_MIN_AGREEING = 0.5  # share of the samples the transform must fit
_RANSAC_PX = 0.5  # on the flow's small copy
# Below this (small-copy pixels at the farthest corner) the camera held still: subtracting
# a fit to noise would only add it.
_STILL_PX = 0.15

Transform = npt.NDArray[np.float64]


def camera_motion(flow: FlowField, grey: GreyFrame, people: PeopleGrid) -> Transform | None:
    """The similarity transform (small-copy pixels of the earlier frame to the later one's)
    that the picture as a whole moved by, or None when the empty ground seen is too little
    to tell. `grey`: the later frame's small copy; `people`: people per density cell over
    the whole frame."""
    height, width = grey.shape
    # A cell's people reach past it: keep a few pixels clear of any crowd.
    crowd = crowd_mask(people, (width, height), margin_px=2)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    usable = ~crowd & (np.hypot(gx, gy) >= _MIN_GRADIENT)
    ys, xs = np.nonzero(usable)
    if len(xs) < _MIN_SAMPLES:
        return None
    pick = np.linspace(0, len(xs) - 1, min(len(xs), _MAX_SAMPLES)).astype(np.intp)
    ys, xs = ys[pick], xs[pick]
    scale = flow.frame_size[0] / width  # the flow is in full-frame pixels
    source = np.stack([xs, ys], axis=1).astype(np.float32)
    target = source + np.stack([flow.dx[ys, xs], flow.dy[ys, xs]], axis=1) / scale
    transform, inliers = cv2.estimateAffinePartial2D(
        source, target, method=cv2.RANSAC, ransacReprojThreshold=_RANSAC_PX, maxIters=500
    )
    if transform is None or inliers is None or inliers.mean() < _MIN_AGREEING:
        return None
    fitted: Transform = transform.astype(np.float64)
    return fitted


def steadied(flow: FlowField, transform: Transform | None) -> FlowField:
    """`flow` less the camera's motion `transform` (as `camera_motion` gives it)."""
    if transform is None:
        return flow
    height, width = flow.dx.shape
    corners = np.array([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1]], float)
    moved = corners @ transform[:, :2].T + transform[:, 2] - corners
    if float(np.abs(moved).max()) < _STILL_PX:
        return flow
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    moved_x = transform[0, 0] * xs + transform[0, 1] * ys + transform[0, 2] - xs
    moved_y = transform[1, 0] * xs + transform[1, 1] * ys + transform[1, 2] - ys
    scale = flow.frame_size[0] / width
    return FlowField(
        dx=(flow.dx - moved_x * scale).astype(np.float32),
        dy=(flow.dy - moved_y * scale).astype(np.float32),
        frame_size=flow.frame_size,
        dt_s=flow.dt_s,
    )
