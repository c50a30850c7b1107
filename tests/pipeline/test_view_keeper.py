from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from monitor.config.quality import ImageQualityConfig
from monitor.pipeline.view_keeper import SYSTEM_TAKER, ViewKeeper, source_digest
from monitor.quality.view import MIN_PRINT_CORNERS
from monitor.quality.view_watch import CHECK_EVERY_S, WINDOW_CHECKS
from monitor.store.sql import SqlStore
from monitor.store.view_references import ViewReferences
from tests.support.street import moved, street

SOURCE = "rtsp://admin:secret@10.0.0.21/main"
CHECKED = ImageQualityConfig()
SET_UP = street(people_seed=0)
PANNED = moved(street(people_seed=1), dx=0.08)


@pytest.fixture
def views(tmp_path: Path) -> Iterator[ViewReferences]:
    store = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        yield ViewReferences(store.engine)
    finally:
        store.close()


def keeper_on(views: ViewReferences, source: str = SOURCE) -> ViewKeeper:
    keeper = ViewKeeper("wuyi", views)
    keeper.use_source(source)
    return keeper


def settled(keeper: ViewKeeper, frame: np.ndarray, start: float = 0.0) -> bool | None:
    """Whether the view reads as moved once a window of checks has seen `frame`."""
    state = None
    for i in range(WINDOW_CHECKS):
        state = keeper.check(start + i * CHECK_EVERY_S, frame, CHECKED)
    return None if state is None else state.moved


def test_the_first_good_frame_becomes_the_set_up_view_and_outlives_a_restart(
    views: ViewReferences,
) -> None:
    keeper = keeper_on(views)
    assert keeper.check(1.0, SET_UP, CHECKED) is None
    stored = views.get("wuyi")
    assert stored is not None
    assert (stored.taken_by, stored.captured_at, stored.width, stored.height) == (
        SYSTEM_TAKER,
        1.0,
        640,
        480,
    )
    assert stored.corners >= 400
    assert stored.source_digest == source_digest(SOURCE)
    assert SOURCE not in stored.source_digest
    # Moved while the monitor was down: caught when it comes back.
    restarted = keeper_on(views)
    assert restarted.reference == stored
    assert settled(restarted, PANNED, start=100.0) is True


def test_a_supervisor_takes_the_view_the_camera_is_held_to_from_then_on(
    views: ViewReferences,
) -> None:
    keeper = keeper_on(views)
    keeper.check(0.0, SET_UP, CHECKED)
    assert settled(keeper, PANNED, start=10.0) is True
    taken = keeper.take(PANNED, 50.0, "sup li")
    assert views.get("wuyi") == taken
    assert settled(keeper, PANNED, start=60.0) is False


def test_another_source_starts_from_a_new_view(views: ViewReferences) -> None:
    keeper = keeper_on(views)
    keeper.check(0.0, SET_UP, CHECKED)
    other = keeper_on(views, "rtsp://10.0.0.22/main")
    assert other.reference is None
    assert views.get("wuyi") is None
    assert other.check(5.0, PANNED, CHECKED) is None  # the new camera's first frame
    assert settled(other, PANNED, start=10.0) is False


def test_a_bare_first_frame_gives_way_to_one_with_structure_but_a_supervisors_does_not(
    views: ViewReferences,
) -> None:
    dark = np.full((480, 640, 3), 12, np.uint8)
    keeper = keeper_on(views)
    keeper.check(0.0, dark, CHECKED)
    bare = keeper.reference
    assert bare is not None
    assert bare.corners < MIN_PRINT_CORNERS
    keeper.check(1.0, dark, CHECKED)
    keeper.check(2.0, SET_UP, CHECKED)  # looked for no more often than the view is checked
    assert keeper.reference == bare
    keeper.check(3.0, SET_UP, CHECKED)
    reference = keeper.reference
    assert reference is not None
    assert reference.captured_at == 3.0
    keeper.take(dark, 4.0, "sup li")
    keeper.check(9.0, SET_UP, CHECKED)
    reference = keeper.reference
    assert reference is not None
    assert (reference.taken_by, reference.captured_at) == ("sup li", 4.0)


def test_a_site_that_does_not_check_its_view_takes_none(views: ViewReferences) -> None:
    keeper = keeper_on(views)
    unchecked = ImageQualityConfig(view_check=False)
    assert keeper.check(0.0, SET_UP, unchecked) is None
    assert keeper.reference is None
    assert views.get("wuyi") is None
