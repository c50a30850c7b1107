"""Synthetic annotated scenes: dark round 'heads' on a textured light floor."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt


def scene(
    rng: np.random.Generator, n_heads: int, size: tuple[int, int] = (320, 240)
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32]]:
    width, height = size
    floor = rng.normal(200, 6, (height, width, 3)).clip(0, 255).astype(np.uint8)
    points = np.column_stack(
        [rng.uniform(10, width - 10, n_heads), rng.uniform(10, height - 10, n_heads)]
    ).astype(np.float32)
    for x, y in points:
        cv2.circle(floor, (int(x), int(y)), 5, (40, 30, 30), -1)
    return floor, points


def write_folder(
    root: Path, rng: np.random.Generator, counts: list[int], image_dir: str = "frames"
) -> Path:
    """A folder in the shared format with one synthetic image per count."""
    (root / image_dir).mkdir(parents=True)
    heads = ["image,x,y"]
    rows = ["image,count"]
    for i, n in enumerate(counts, start=1):
        name = f"seq_{i:06d}.jpg"
        image, points = scene(rng, n)
        cv2.imwrite(str(root / image_dir / name), image)
        heads += [f"{name},{x:.2f},{y:.2f}" for x, y in points]
        rows.append(f"{name},{n}")
    (root / "heads.csv").write_text("\n".join(heads) + "\n")
    (root / "counts.csv").write_text("\n".join(rows) + "\n")
    return root
