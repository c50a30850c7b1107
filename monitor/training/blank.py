"""Featureless frames that training pairs with an empty target (both loops draw them)."""

from __future__ import annotations

import cv2
import numpy as np

from monitor.density.base import Frame
from monitor.training.noise import add_sensor_noise

# Every training image holds people, so a decoder fitted on them alone may learn a floor and
# count people on an empty scene (a lens cap, a white-out, a blank wall). A few featureless
# frames with an empty target, drawn this often, teach it that nothing is nobody.
BLANK_SHARE = 0.05


def blank_frame(size: tuple[int, int], rng: np.random.Generator) -> Frame:
    """A frame with nothing in it: a flat colour (black, grey, white or random), a gradient
    between two colours or a smooth blotchy field, with sensor noise from none up to that of a
    high-gain night-time camera."""
    width, height = size
    kind = int(rng.integers(4))
    if kind == 0:
        grey = float(rng.choice([0.0, 128.0, 255.0]))
        base = np.full((height, width, 3), grey, dtype=np.float32)
    elif kind == 1:
        base = np.broadcast_to(rng.uniform(0, 255, 3).astype(np.float32), (height, width, 3))
    elif kind == 2:
        ramp = np.linspace(0.0, 1.0, width if rng.random() < 0.5 else height, dtype=np.float32)
        ramp = ramp[None, :, None] if ramp.size == width else ramp[:, None, None]
        start, end = rng.uniform(0, 255, (2, 3)).astype(np.float32)
        base = start + (end - start) * np.broadcast_to(ramp, (height, width, 1))
    else:
        coarse = rng.uniform(0, 255, (4, 4, 3)).astype(np.float32)
        base = np.asarray(cv2.resize(coarse, size, interpolation=cv2.INTER_CUBIC))
    noisy = add_sensor_noise(np.ascontiguousarray(base, dtype=np.float32), rng)
    frame: Frame = np.clip(noisy, 0, 255).astype(np.uint8)
    return frame
