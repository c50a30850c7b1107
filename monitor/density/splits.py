"""The held-out validation split: one definition shared by training, evaluate and the bench."""

from __future__ import annotations

from typing import Literal

import numpy as np

from monitor.density.dataset import CrowdFolder, CrowdImage

Split = Literal["train", "val", "all"]
# Video: the last 20% in time order, because neighbouring frames are near-duplicates and a
# random split would leak them. Stills: a seeded random 15%.
VIDEO_VAL_FRACTION = 0.2
STILLS_VAL_FRACTION = 0.15
SPLIT_SEED = 2016


def val_indices(folder: CrowdFolder) -> set[int]:
    n = len(folder.images)
    if folder.is_video:
        n_val = round(n * VIDEO_VAL_FRACTION)
        return set(range(n - n_val, n))
    n_val = round(n * STILLS_VAL_FRACTION)
    order = np.random.default_rng(SPLIT_SEED).permutation(n)
    return {int(i) for i in order[:n_val]}


def select(folder: CrowdFolder, split: Split) -> list[CrowdImage]:
    if split == "all":
        return list(folder.images)
    held_out = val_indices(folder)
    want_val = split == "val"
    return [image for i, image in enumerate(folder.images) if (i in held_out) == want_val]
