"""The frozen-backbone views' features, kept on disk between runs (`--feature-cache DIR`).

Computing them takes 12-20 minutes of a 55-minute run on two CPU cores, and it is the same
work for every run from the same backbone, data and seed: a run that changes only the
decoder's recipe (loss, learning rate, width, blank share, length) loads them instead. The
files are large (ShanghaiTech B's 340 training images: 2.0 GB) and are memory-mapped on load,
so the page cache holds them rather than the process, and a second run can start while the
first one's pages are still warm.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from monitor.training.augment import DEFAULT_DEFECTS, CameraDefects
from monitor.training.data import AnnotatedSet
from monitor.training.frozen import FeatureView

log = logging.getLogger(__name__)

Views = tuple[list[list[FeatureView]], list[FeatureView]]


def _view_code() -> list[ModuleType]:
    """The modules whose code decides what a view holds: any edit to them makes a new key, so
    a stale cache is never read after the views' recipe changed."""
    from monitor.density import gaussian, onnx_model, roi
    from monitor.training import augment, blank, data, frozen, model, noise, targets

    return [augment, blank, data, frozen, model, noise, targets, gaussian, onnx_model, roi]


def views_key(
    backbone: Sequence[torch.nn.Module],
    sets: list[AnnotatedSet],
    seed: int,
    device: str,
    fine: bool = False,
    defects: CameraDefects = DEFAULT_DEFECTS,
) -> str:
    """A digest of everything the views depend on: the backbone's weights, the images (names,
    sizes, heads), the seed of the colour jitter and blank frames, the device that ran
    the backbone (a GPU's features differ in the last bits), whether the views keep the
    stride-4 features (`fine`), the camera defects' shares, and the views' code. Not the
    pixels: hashing gigabytes of images each run would cost what the cache saves, and a
    dataset's images are not edited in place; delete the folder if yours are."""
    digest = hashlib.sha256()
    for module in backbone:
        for name, tensor in module.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    for annotated in sets:
        digest.update(f"set {annotated.name} video={annotated.video}".encode())
        for item in annotated.items:
            digest.update(f"{item.name} {item.count} {item.image.shape}".encode())
            digest.update(item.points.tobytes())
    digest.update(f"seed {seed} device {device} fine {fine} {defects!r}".encode())
    for code in _view_code():
        digest.update(inspect.getsource(code).encode())
    return digest.hexdigest()[:32]


def _plain(view: FeatureView) -> dict[str, Any]:
    # Not dataclasses.asdict: it deep-copies every tensor, gigabytes here.
    return {field.name: getattr(view, field.name) for field in fields(view)}


def save_views(path: Path, views: Views) -> None:
    """Written beside its final name and renamed into place, so a stopped run leaves no
    half-written file under the key."""
    crowd, blanks = views
    payload: dict[str, Any] = {
        "crowd": [[_plain(v) for v in per_set] for per_set in crowd],
        "blanks": [_plain(v) for v in blanks],
    }
    partial = path.with_name(path.name + ".partial")
    torch.save(payload, partial)
    os.replace(partial, path)


def load_views(path: Path) -> Views:
    payload = torch.load(path, mmap=True, weights_only=True)
    crowd = [[FeatureView(**v) for v in per_set] for per_set in payload["crowd"]]
    blanks = [FeatureView(**v) for v in payload["blanks"]]
    return crowd, blanks


def cached_views(directory: Path | None, key: str, compute: Callable[[], Views]) -> Views:
    """The views under `key` in `directory` if a readable file is there, else computed and
    stored there; with no directory, computed. An unreadable file is recomputed and replaced,
    not trusted."""
    if directory is None:
        return compute()
    path = directory / f"views-{key}.pt"
    if path.exists():
        try:
            views = load_views(path)
        # Truncated zip, foreign pickle, another payload: torch raises any of several types,
        # and every one of them means the same here.
        except Exception as error:
            log.warning("feature cache %s unreadable (%s); computing the views again", path, error)
        else:
            log.info("features of the views loaded from %s", path)
            return views
    views = compute()
    directory.mkdir(parents=True, exist_ok=True)
    save_views(path, views)
    log.info("features of the views saved to %s", path)
    return views
