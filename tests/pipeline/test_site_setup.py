"""Site setup changed while the monitor runs: region, exclusions, calibration, source,
threshold schedules; applied from the next frame, refused whole when wrong, and kept
across a restart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.bus.bus import InMemoryBus, ThreadSubscription
from monitor.bus.messages import (
    MessageType,
    PictureLimitsPublic,
    ReadingPayload,
    SiteConfigPayload,
)
from monitor.config.app import AppConfig
from monitor.config.site import GroundPoint, SiteConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.measure.ground import ground_model
from monitor.pipeline.runtime import Runtime
from monitor.pipeline.site_setup import SiteChangeError, setup_public
from monitor.store.site_overrides import SiteChange, SiteOverrides
from monitor.store.sql import SqlStore
from monitor.store.writer import ReadingWriter
from tests.support.blobs import BlobCountEstimator, scene
from tests.support.config import minimal_site
from tests.support.sources import PushedSources

SITE = "wuyi-square"
FULL = [[0, 0], [160, 0], [160, 120], [0, 120]]
# scene(4) puts four people in a row, centred at x = 12, 36, 60 and 84 px.
LEFT = [(0.0, 0.0), (76.0, 0.0), (76.0, 120.0), (0.0, 120.0)]  # the first three
HOLE = [(0.0, 0.0), (44.0, 0.0), (44.0, 120.0), (0.0, 120.0)]  # the first two
COUNT_LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [{"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2}],
}
# A 16 m x 12 m ground rectangle seen straight down: 10 px per metre, 192 m² in the frame.
TOP_DOWN = [
    GroundPoint(image=(0, 0), ground=(0, 12)),
    GroundPoint(image=(160, 0), ground=(16, 12)),
    GroundPoint(image=(160, 120), ground=(16, 0)),
    GroundPoint(image=(0, 120), ground=(0, 0)),
]


def config() -> AppConfig:
    site = minimal_site(analysis_fps=30, roi=FULL, thresholds=COUNT_LEVELS)
    return AppConfig.model_validate({"sites": [site]})


class Monitor:
    """A runtime over pushed frames and a real store, as the application wires it."""

    def __init__(self, store: SqlStore) -> None:
        self.bus = InMemoryBus(first_id=1)
        self.events: ThreadSubscription = self.bus.subscribe()
        self.sources = PushedSources()
        self.writer = ReadingWriter(store, flush_interval_s=0.05)
        self.runtime = Runtime(
            config(),
            BlobCountEstimator(),
            self.sources,
            self.bus,
            store,
            self.writer,
            site_overrides=SiteOverrides(store.engine),
        )
        self.writer.start()
        self.runtime.start()

    def stop(self) -> None:
        self.runtime.stop()
        self.writer.stop(5.0)

    def reading(self, people: int, at: float = 1000.0) -> ReadingPayload:
        seq = self.sources.by_site[SITE].push(scene(people), captured_at=at)
        while True:
            item = self.events.get(timeout=5.0)
            assert item is not None, f"frame {seq} was not analysed within 5 s"
            if isinstance(item.payload, ReadingPayload) and item.payload.seq == seq:
                return item.payload

    def next_site_config(self) -> SiteConfigPayload:
        while True:
            item = self.events.get(timeout=5.0)
            assert item is not None, "no site_config event within 5 s"
            if item.type is MessageType.SITE_CONFIG:
                assert isinstance(item.payload, SiteConfigPayload)
                return item.payload


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.close()


@pytest.fixture
def monitor(store: SqlStore) -> Iterator[Monitor]:
    running = Monitor(store)
    yield running
    running.stop()


def test_new_region_and_exclusions_apply_from_the_next_frame(monitor: Monitor) -> None:
    assert monitor.reading(4).count == pytest.approx(4.0)
    monitor.runtime.set_region(SITE, LEFT, [], by="sup li", area_m2=50)
    assert monitor.next_site_config().kind == "region"
    reading = monitor.reading(4)
    assert reading.count == pytest.approx(3.0)
    assert reading.mean_density == pytest.approx(3.0 / 50, abs=1e-3)
    monitor.runtime.set_region(SITE, LEFT, [HOLE], by="sup li")
    reading = monitor.reading(4)
    assert reading.count == pytest.approx(1.0)
    left_over = 50 * (76 - 44) / 76  # m²: the configured area less the hole's share
    assert reading.mean_density == pytest.approx(1.0 / left_over, rel=0.05)
    site = monitor.runtime.site(SITE)
    assert site.roi == LEFT
    assert site.setup is not None
    assert site.setup.exclude == [HOLE]
    assert site.setup.region_area_m2 == pytest.approx(left_over, rel=0.05)


def test_calibration_gives_true_ground_area(monitor: Monitor) -> None:
    monitor.reading(0)
    before = monitor.runtime.site(SITE).setup
    assert before is not None
    assert (before.calibrated, before.area_m2, before.field_of_view) == (False, 100, [])
    public = monitor.runtime.set_calibration(SITE, TOP_DOWN, by="sup li")
    assert public.setup is not None
    assert public.setup.calibrated
    assert public.setup.calibration_error_m == pytest.approx(0.0, abs=1e-3)
    assert public.setup.region_area_m2 == pytest.approx(192.0, rel=1e-3)
    assert len(public.setup.field_of_view) == 4
    reading = monitor.reading(4)
    assert reading.mean_density == pytest.approx(4.0 / 192.0, abs=1e-3)
    public = monitor.runtime.clear_calibration(SITE, None, by="sup li")
    assert public.setup is not None
    assert (public.setup.calibrated, public.setup.area_m2) == (False, 100)
    assert monitor.reading(4).mean_density == pytest.approx(4.0 / 100.0)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        pytest.param(
            lambda r: r.set_region(SITE, [[0, 0], [10, 10], [20, 20]], [], by="x"),
            "roi",
            "no area",
            id="flat-region",
        ),
        pytest.param(
            lambda r: r.set_region(SITE, LEFT, [FULL], by="x"),
            "roi",
            "no ground",
            id="region-excluded-entirely",
        ),
        pytest.param(
            lambda r: r.set_calibration(
                SITE,
                [
                    GroundPoint(image=(0, 60), ground=(0, 0)),
                    GroundPoint(image=(160, 60), ground=(10, 0)),
                    # A rectangle on the ground whose sides meet at y = 12 in the image.
                    GroundPoint(image=(110, 30), ground=(10, 20)),
                    GroundPoint(image=(50, 30), ground=(0, 20)),
                ],
                by="x",
            ),
            "roi",
            "above the calibrated horizon",
            id="calibration-puts-region-above-horizon",
        ),
        pytest.param(
            lambda r: r.set_source(SITE, "", 0, by="x"), "source", "at least 1", id="empty-source"
        ),
    ],
)
def test_bad_changes_are_refused_and_the_site_runs_on(
    monitor: Monitor, change: Any, field: str, reason: str
) -> None:
    monitor.reading(4)
    before = monitor.runtime.site_config(SITE)
    with pytest.raises(SiteChangeError, match=reason) as refused:
        change(monitor.runtime)
    assert refused.value.field == field
    assert monitor.runtime.site_config(SITE) == before
    assert monitor.runtime.site_changes(SITE, 10) == []
    assert monitor.reading(4).count == pytest.approx(4.0)


def test_new_source_replaces_the_old_one(monitor: Monitor) -> None:
    old = monitor.sources.by_site[SITE]
    monitor.reading(2)
    monitor.runtime.set_source(SITE, "rtsp://admin:secret@10.0.0.21/102", 0, by="sup li")
    new = monitor.sources.by_site[SITE]
    assert new is not old
    assert (old.stopped, new.started) == (True, True)
    assert new.site.source == "rtsp://admin:secret@10.0.0.21/102"
    # The new source numbers frames from 1 again; they are analysed all the same.
    assert monitor.reading(3).count == pytest.approx(3.0)
    setup = monitor.runtime.site(SITE).setup
    assert setup is not None
    assert setup.source == "rtsp://***@10.0.0.21/102"
    old.report("offline", "late report from the replaced source")
    assert monitor.runtime.site(SITE).status != "offline"


def test_changes_survive_a_restart(store: SqlStore) -> None:
    first = Monitor(store)
    try:
        first.runtime.set_region(SITE, LEFT, [HOLE], by="sup li", area_m2=50)
        first.runtime.set_calibration(SITE, TOP_DOWN, by="sup wang")
        first.runtime.set_source(SITE, "sample:other", 12.5, by="sup li")
    finally:
        first.stop()
    second = Monitor(store)
    try:
        site = second.runtime.site_config(SITE)
        assert site.roi == LEFT
        assert site.exclude == [HOLE]
        assert site.ground.calibration == TOP_DOWN
        assert site.ground.area_m2 == 50
        assert (site.source, site.start_offset_s) == ("sample:other", 12.5)
        assert second.sources.by_site[SITE].site.source == "sample:other"
        # 10 px per metre: the region is 7.6 m x 12 m, the hole 4.4 m x 12 m.
        reading = second.reading(4)
        assert reading.count == pytest.approx(1.0)
        assert reading.mean_density == pytest.approx(1.0 / (3.2 * 12), rel=0.05)
        history = second.runtime.site_changes(SITE, 10)
        assert [(c.kind, c.changed_by) for c in history] == [
            ("source", "sup li"),
            ("calibration", "sup wang"),
            ("region", "sup li"),
        ]
        assert history[2].old["roi"] == FULL
        assert history[2].new["roi"] == [list(p) for p in LEFT]
    finally:
        second.stop()


def test_schedule_switches_levels_at_the_site_local_time(monitor: Monitor) -> None:
    strict = {"name": "elevated", "color": "#f5c542", "enter": 1, "exit": 0.5}
    thresholds = ThresholdsConfig.model_validate(
        COUNT_LEVELS
        | {
            "schedules": [
                {"name": "holiday-evening", "start": "18:00", "end": "24:00", "levels": [strict]}
            ]
        }
    )
    monitor.runtime.set_thresholds(SITE, thresholds, by="sup li")
    changsha = ZoneInfo("Asia/Shanghai")
    noon = datetime(2026, 10, 1, 12, 0, tzinfo=changsha).timestamp()
    evening = datetime(2026, 10, 1, 19, 0, tzinfo=changsha).timestamp()
    assert monitor.reading(2, at=noon).level == "normal"
    assert active_schedule(monitor) is None
    assert monitor.reading(2, at=evening).level == "elevated"
    assert active_schedule(monitor) == "holiday-evening"
    assert monitor.runtime.site(SITE).thresholds.schedules[0].name == "holiday-evening"


def test_stored_changes_that_no_longer_fit_the_yaml_are_ignored(
    store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    overrides = SiteOverrides(store.engine)
    stale = SiteChange(SITE, 1.0, "sup li", "region", {}, {"roi": LEFT, "peak_window_m": 0})
    overrides.record(stale)
    monitor = Monitor(store)
    try:
        assert monitor.runtime.site_config(SITE).roi == [tuple(p) for p in FULL]
        assert monitor.reading(4).count == pytest.approx(4.0)
    finally:
        monitor.stop()
    assert "stored setup changes ignored: peak_window_m" in caplog.text


def active_schedule(monitor: Monitor) -> str | None:
    setup = monitor.runtime.site(SITE).setup
    assert setup is not None
    return setup.active_schedule


@pytest.mark.parametrize(
    ("image_quality", "limits"),
    [
        pytest.param(
            {"enabled": True},
            PictureLimitsPublic(
                enabled=True,
                window_frames=10,
                noise=4.5,
                detail=0.6,
                blocking=1.75,
                spread=4.0,
                view_check=True,
                view_shift=0.03,
            ),
            id="defaults",
        ),
        pytest.param(
            {
                "enabled": True,
                "window_frames": 3,
                "noise_limit": 7.0,
                "detail_limit": 0.5,
                "view_shift_limit": 0.05,
            },
            PictureLimitsPublic(
                enabled=True,
                window_frames=3,
                noise=7.0,
                detail=0.5,
                blocking=1.75,
                spread=4.0,
                view_check=True,
                view_shift=0.05,
            ),
            id="the-sites-own",
        ),
        # Kept while off, so turning it back on from the page restores them.
        pytest.param(
            {"enabled": False, "blocking_limit": 2.5, "view_check": False},
            PictureLimitsPublic(
                enabled=False,
                window_frames=10,
                noise=4.5,
                detail=0.6,
                blocking=2.5,
                spread=4.0,
                view_check=False,
                view_shift=0.03,
            ),
            id="not-assessed",
        ),
    ],
)
def test_setup_tells_the_page_the_limits_the_picture_is_judged_by(
    image_quality: dict[str, Any], limits: PictureLimitsPublic
) -> None:
    site = SiteConfig.model_validate(minimal_site(image_quality=image_quality))
    ground = ground_model(site.ground, site.roi)
    assert setup_public(site, ground, (160, 120), None).picture_limits == limits
