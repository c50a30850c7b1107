"""Reading crowd folders in the shared format (see the data README).

A folder holds `images/` or `frames/` (JPEGs), `counts.csv` (image,count) and optionally
`heads.csv` (image,x,y), `roi_mask.png` (non-zero inside the annotated region) and
`perspective.npy` (relative person size per pixel).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from monitor.density.base import Frame

IMAGE_DIRS = ("images", "frames")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp")
EMPTY_POINTS = np.zeros((0, 2), dtype=np.float32)


class DatasetError(Exception):
    """A folder or file that does not follow the shared format; the message says what."""


@dataclass(frozen=True)
class CrowdImage:
    path: Path
    count: float | None
    heads: npt.NDArray[np.float32] = field(default_factory=lambda: EMPTY_POINTS)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def true_count(self) -> float:
        """The annotated count: counts.csv's where it has one, else the head points'."""
        return self.count if self.count is not None else float(len(self.heads))


@dataclass(frozen=True)
class CrowdFolder:
    root: Path
    images: list[CrowdImage]
    # True for `frames/`: consecutive images of one camera, in time order.
    is_video: bool
    roi_mask: npt.NDArray[np.bool_] | None = None
    perspective: npt.NDArray[np.float32] | None = None
    has_heads: bool = False

    @property
    def name(self) -> str:
        return self.root.name


def natural_key(name: str) -> list[int | str]:
    """IMG_2 before IMG_10: numbered files in the order they were taken."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def read_image(path: Path) -> Frame:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise DatasetError(f"cannot read image {path}")
    return np.asarray(image, dtype=np.uint8)


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(newline="") as file:
            reader = csv.DictReader(file)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise DatasetError(f"{path}: missing column(s) {', '.join(missing)}")
            return list(reader)
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error}") from error


def _read_heads(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line, row in enumerate(_read_rows(path, ("image", "x", "y")), start=2):
        try:
            points[row["image"]].append((float(row["x"]), float(row["y"])))
        except ValueError as error:
            raise DatasetError(f"{path}:{line}: bad coordinate: {error}") from error
    return {name: np.asarray(xy, dtype=np.float32).reshape(-1, 2) for name, xy in points.items()}


def _read_counts(path: Path) -> dict[str, float]:
    counts: dict[str, float] = {}
    for line, row in enumerate(_read_rows(path, ("image", "count")), start=2):
        try:
            counts[row["image"]] = float(row["count"])
        except ValueError as error:
            raise DatasetError(f"{path}:{line}: bad count: {error}") from error
    return counts


def load_mask(path: Path) -> npt.NDArray[np.bool_]:
    mask = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if mask is None:
        raise DatasetError(f"cannot read mask image {path}")
    inside: npt.NDArray[np.bool_] = mask > 0
    return inside


def load_folder(root: Path | str, *, need_heads: bool = False) -> CrowdFolder:
    """The folder's images with their counts and heads; raises DatasetError when malformed."""
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"data folder not found: {root}")
    image_dir = next((root / d for d in IMAGE_DIRS if (root / d).is_dir()), None)
    if image_dir is None:
        raise DatasetError(f"{root} has neither images/ nor frames/")
    files = sorted(
        (p for p in image_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES),
        key=lambda p: natural_key(p.name),
    )
    if not files:
        raise DatasetError(f"no images in {image_dir}")
    heads_csv, counts_csv = root / "heads.csv", root / "counts.csv"
    heads = _read_heads(heads_csv) if heads_csv.is_file() else None
    if need_heads and heads is None:
        raise DatasetError(f"{root} has no heads.csv (image,x,y)")
    counts = _read_counts(counts_csv) if counts_csv.is_file() else None
    if heads is None and counts is None:
        raise DatasetError(f"{root} has neither counts.csv nor heads.csv")
    images = []
    for path in files:
        points = heads.get(path.name, EMPTY_POINTS) if heads is not None else EMPTY_POINTS
        count = counts.get(path.name) if counts is not None else float(len(points))
        images.append(CrowdImage(path=path, count=count, heads=points))
    roi = load_mask(root / "roi_mask.png") if (root / "roi_mask.png").is_file() else None
    perspective = None
    if (root / "perspective.npy").is_file():
        perspective = np.load(root / "perspective.npy").astype(np.float32)
    return CrowdFolder(
        root=root,
        images=images,
        is_video=image_dir.name == "frames",
        roi_mask=roi,
        perspective=perspective,
        has_heads=heads is not None,
    )
