"""Frames held in the alerts policy's pre-roll, kept JPEG-compressed.

A raw 768x576 frame is 1.3 MB; twenty seconds of pre-roll at 10 fps would hold 265 MB
per site. Compressed at high quality it is about 1/20 of that, and the frames are only
decoded on the rare occasion an alert is raised.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from monitor.ingest.frames import BgrImage, CapturedFrame

HELD_JPEG_QUALITY = 92


@dataclass(frozen=True, slots=True)
class HeldFrame:
    jpeg: bytes
    seq: int
    captured_at: float

    @classmethod
    def hold(cls, frame: CapturedFrame) -> HeldFrame:
        ok, buffer = cv2.imencode(
            ".jpg", frame.image, [cv2.IMWRITE_JPEG_QUALITY, HELD_JPEG_QUALITY]
        )
        if not ok:
            raise ValueError(f"cannot compress frame {frame.seq} for the pre-roll")
        return cls(bytes(buffer.tobytes()), frame.seq, frame.captured_at)

    def release(self) -> CapturedFrame:
        decoded = cv2.imdecode(np.frombuffer(self.jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise ValueError(f"pre-roll frame {self.seq} does not decode")
        image: BgrImage = np.asarray(decoded, dtype=np.uint8)
        return CapturedFrame(image=image, seq=self.seq, captured_at=self.captured_at)
