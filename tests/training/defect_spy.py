"""A spy on the camera defects augment.py applies to training views."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

DEFECTS = ("add_sensor_noise", "add_compression")


def spy_on_defect(monkeypatch: pytest.MonkeyPatch, name: str) -> list[tuple[int, ...]]:
    """The shapes of the images augment.py hands to the defect `name` (one of DEFECTS), in
    order; the defect is still applied."""
    import monitor.training.augment as augment

    # augment.py holds its own reference: the crop loop and the frozen views both call it.
    real = getattr(augment, name)
    calls: list[tuple[int, ...]] = []

    def spy(image: np.ndarray, *args: Any) -> Any:
        calls.append(image.shape)
        return real(image, *args)

    monkeypatch.setattr(augment, name, spy)
    return calls
