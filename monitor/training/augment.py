"""Random training views of an annotated image: scale, crop, flip and colour jitter.

Points and their Gaussian widths move with the pixels, so the target is rebuilt exactly for
every view instead of warping a precomputed density map (which would blur counts at edges).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import Frame
from monitor.training.compression import CODECS, Codec, add_compression
from monitor.training.noise import NOISY_VIEW_SHARE, add_sensor_noise

FloatArray = npt.NDArray[np.float32]
BoolMask = npt.NDArray[np.bool_]
# Fill for areas outside the image: mid-grey, which the network sees as zero input.
PAD_VALUE = 127


@dataclass(frozen=True)
class CameraDefects:
    """How often a jittered view shows a poor camera's defects: sensor noise (noise.py), then,
    as in the camera, compression of the noisy picture (compression.py)."""

    noisy_share: float = NOISY_VIEW_SHARE
    # Off by default: recipes from before it existed keep drawing the same random numbers.
    compressed_share: float = 0.0
    codecs: tuple[Codec, ...] = CODECS


DEFAULT_DEFECTS = CameraDefects()


@dataclass(frozen=True)
class View:
    image: Frame
    points: FloatArray
    sigmas: FloatArray
    # Pixels whose annotation is known (inside the ROI); None: all of them.
    valid: BoolMask | None


def crop_view(
    image: Frame,
    points: FloatArray,
    sigmas: FloatArray,
    valid: BoolMask | None,
    *,
    origin: tuple[float, float],
    scale: float,
    size: int,
    flip: bool,
) -> View:
    """The size x size view whose top-left is `origin` in the image and that shows it
    enlarged by `scale`; areas beyond the image are grey and count as annotated (empty)."""
    x0, y0 = origin
    affine = np.array([[scale, 0.0, -x0 * scale], [0.0, scale, -y0 * scale]], dtype=np.float64)
    if flip:
        affine[0] = [-scale, 0.0, size - 1 + x0 * scale]
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    out: Frame = cv2.warpAffine(  # type: ignore[assignment]
        image,
        affine,
        (size, size),
        flags=interpolation,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(PAD_VALUE,) * 3,
    )
    view_mask = None
    if valid is not None:
        warped = cv2.warpAffine(
            valid.astype(np.uint8),
            affine,
            (size, size),
            flags=cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=1,
        )
        view_mask = warped > 0
    moved = points.astype(np.float64) @ affine[:, :2].T + affine[:, 2]
    inside = (moved[:, 0] >= 0) & (moved[:, 0] < size) & (moved[:, 1] >= 0) & (moved[:, 1] < size)
    return View(
        image=out,
        points=moved[inside].astype(np.float32),
        sigmas=(sigmas[inside] * scale).astype(np.float32),
        valid=view_mask,
    )


def jitter_colour(
    image: Frame, rng: np.random.Generator, defects: CameraDefects = DEFAULT_DEFECTS
) -> Frame:
    """Brightness, contrast, occasional greyscale and, at their shares in `defects`, sensor
    noise and compression artefacts: cameras differ more than crowds do."""
    out = image.astype(np.float32)
    out = (out - 127.0) * rng.uniform(0.7, 1.3) + 127.0 + rng.uniform(-25, 25)
    if rng.random() < 0.15:
        grey = out.mean(axis=2, keepdims=True)
        out = np.repeat(grey, 3, axis=2)
    if rng.random() < defects.noisy_share:
        out = add_sensor_noise(out, rng)
    result: Frame = np.clip(out, 0, 255).astype(np.uint8)
    # Drawn only when asked for, so a share of zero leaves the random stream (and with it
    # every view of an earlier recipe and seed) as it was.
    if defects.compressed_share > 0.0 and rng.random() < defects.compressed_share:
        result = add_compression(result, rng, defects.codecs)
    return result


def random_view(
    image: Frame,
    points: FloatArray,
    sigmas: FloatArray,
    valid: BoolMask | None,
    rng: np.random.Generator,
    *,
    size: int,
    scale_range: tuple[float, float] = (0.7, 1.3),
    defects: CameraDefects = DEFAULT_DEFECTS,
) -> View:
    """A random crop at a random scale (log-uniform), flipped half the time, colour-jittered."""
    height, width = image.shape[:2]
    scale = float(np.exp(rng.uniform(np.log(scale_range[0]), np.log(scale_range[1]))))
    window = size / scale
    # Windows larger than the image centre it, so some views show the whole image.
    x0 = rng.uniform(0, width - window) if width > window else (width - window) / 2
    y0 = rng.uniform(0, height - window) if height > window else (height - window) / 2
    view = crop_view(
        image,
        points,
        sigmas,
        valid,
        origin=(x0, y0),
        scale=scale,
        size=size,
        flip=bool(rng.random() < 0.5),
    )
    return View(jitter_colour(view.image, rng, defects), view.points, view.sigmas, view.valid)
