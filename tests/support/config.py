"""Minimal valid config pieces and a deep-merge for variants."""

from __future__ import annotations

import copy
from typing import Any


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A copy of `base` with `changes` merged in; nested dicts merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def minimal_site(**changes: Any) -> dict[str, Any]:
    site: dict[str, Any] = {
        "id": "wuyi-square",
        "name": {"en": "Wuyi Square", "zh": "五一广场"},
        "location": {"lat": 28.196, "lon": 112.9768},
        "source": "sample:vtest",
        "roi": [[0, 0], [100, 0], [100, 80], [0, 80]],
        "ground": {"area_m2": 100},
        "thresholds": {
            "metric": "peak_density",
            "levels": [
                {"name": "elevated", "color": "#f5c542", "enter": 2.0, "exit": 1.5},
                {"name": "high", "color": "#f08c00", "enter": 4.0, "exit": 3.5},
            ],
        },
        # Off unless a test turns it on: the synthetic scenes are black boards with white
        # squares, and an empty one is rightly blank, which keeps its reading from the alerts.
        "image_quality": {"enabled": False},
    }
    return deep_merge(site, changes)
