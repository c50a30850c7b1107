"""Annotated images held in memory for training, with their Gaussian widths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from monitor.density.base import Frame
from monitor.density.dataset import CrowdFolder, load_folder, read_image
from monitor.density.splits import Split, select
from monitor.training.targets import SigmaMode, sigmas_for

FloatArray = npt.NDArray[np.float32]
BoolMask = npt.NDArray[np.bool_]

# Sparse scenes get a fixed head-sized kernel; very dense ones the geometry-adaptive kernel.
SIGMA_RULES: dict[str, tuple[SigmaMode, float]] = {
    "mall": ("fixed", 6.0),
    "shanghaitech_b": ("fixed", 10.0),
    "shanghaitech_a": ("adaptive", 8.0),
}
DEFAULT_SIGMA_RULE: tuple[SigmaMode, float] = ("adaptive", 8.0)


@dataclass(frozen=True)
class Annotated:
    name: str
    image: Frame
    points: FloatArray
    sigmas: FloatArray
    valid: BoolMask | None
    count: float


@dataclass(frozen=True)
class AnnotatedSet:
    name: str
    items: list[Annotated]
    # Frames of one video in time order (neighbours are near-duplicates), not stills.
    video: bool = False


def load_set(folder: CrowdFolder, split: Split, limit: int | None = None) -> AnnotatedSet:
    mode, sigma = SIGMA_RULES.get(folder.name, DEFAULT_SIGMA_RULE)
    chosen = select(folder, split)
    if limit is not None:
        chosen = chosen[:limit]
    items = []
    for entry in chosen:
        image = read_image(entry.path)
        valid = folder.roi_mask if folder.roi_mask is not None else None
        if valid is not None and valid.shape != image.shape[:2]:
            valid = None
        count = entry.true_count
        items.append(
            Annotated(
                name=entry.name,
                image=image,
                points=entry.heads,
                sigmas=sigmas_for(entry.heads, mode, sigma),
                valid=valid,
                count=count,
            )
        )
    return AnnotatedSet(folder.name, items, video=folder.is_video)


def dataset_folders(root: Path, names: list[str] | None) -> list[CrowdFolder]:
    """Every sub-folder of `root` in the shared format (or the named ones)."""
    candidates = (
        sorted(p for p in root.iterdir() if p.is_dir())
        if names is None
        else [root / name for name in names]
    )
    folders = []
    for path in candidates:
        if names is None and not ((path / "images").is_dir() or (path / "frames").is_dir()):
            continue
        folders.append(load_folder(path, need_heads=True))
    return folders
