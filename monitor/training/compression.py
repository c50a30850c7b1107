"""Compression artefacts for training views: the blocking and smearing of a camera stream
sent at too low a bitrate (night scenes, congested uplinks)."""

from __future__ import annotations

import cv2
import numpy as np

from monitor.density.base import Frame

# JPEG quality drawn per view. Its 8x8 transform blocks and coarse quantisation are the
# artefacts H.264 shows at low bitrate too. Release 7 read ShanghaiTech B at quality 30 with
# MAE 17.6 (13.8 clean) and at 10 overcounted by 22 people of 115: the block edges read as
# heads. Above 60 the artefacts are too faint to teach anything.
MIN_QUALITY = 10
MAX_QUALITY = 60


def add_compression(
    image: Frame,
    rng: np.random.Generator,
    quality_range: tuple[int, int] = (MIN_QUALITY, MAX_QUALITY),
) -> Frame:
    """The image after a JPEG round trip at a quality drawn uniformly from `quality_range`
    (inclusive)."""
    low, high = quality_range
    quality = int(rng.integers(low, high + 1))
    encoded, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not encoded:
        raise ValueError(f"cannot JPEG-encode an image of shape {image.shape}")
    decoded: Frame = cv2.imdecode(data, cv2.IMREAD_COLOR)  # type: ignore[assignment]
    return decoded
