"""A tiny crowd folder in the shared format, for training tests that need no shared data."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def write_crowd_folder(root: Path, images: int = 4, side: int = 96, *, video: bool = False) -> Path:
    """A folder in the shared format: dark blobs for heads on a light background (as the
    frames of one video with `video`)."""
    folder = root / "synthetic"
    pictures = folder / ("frames" if video else "images")
    pictures.mkdir(parents=True)
    rng = np.random.default_rng(0)
    heads, counts = ["image,x,y"], ["image,count"]
    for index in range(images):
        name = f"IMG_{index}.jpg"
        image = np.full((side, side, 3), 200, dtype=np.uint8)
        points = rng.uniform(8, side - 8, (index + 2, 2))
        for x, y in points:
            cv2.circle(image, (int(x), int(y)), 3, (30, 30, 30), -1)
            heads.append(f"{name},{x:.1f},{y:.1f}")
        counts.append(f"{name},{len(points)}")
        cv2.imwrite(str(pictures / name), image)
    (folder / "heads.csv").write_text("\n".join(heads) + "\n")
    (folder / "counts.csv").write_text("\n".join(counts) + "\n")
    return folder
