from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from monitor.alerts.lifecycle import AlertError
from monitor.bus.bus import InMemoryBus, Published, ThreadSubscription
from monitor.bus.messages import AlertPayload, MessageType, ReadingPayload, SiteStatusPayload
from monitor.config.app import AppConfig
from monitor.config.thresholds import ThresholdsConfig
from monitor.density.base import DensityEstimator
from monitor.pipeline.runtime import Runtime
from monitor.pipeline.service import UnknownAlert, UnknownPlatform, UnknownSite
from monitor.render.overlay import draw_heat
from monitor.store.sql import SqlStore
from monitor.store.writer import ReadingWriter
from tests.support.blobs import BlobCountEstimator, FailingEstimator, scene
from tests.support.config import minimal_site
from tests.support.sources import PushedSources

COUNT_LEVELS: dict[str, Any] = {
    "metric": "count",
    "min_duration_s": 0,
    "cooldown_s": 0,
    "levels": [
        {"name": "elevated", "color": "#f5c542", "enter": 3, "exit": 2},
        {"name": "high", "color": "#f08c00", "enter": 6, "exit": 5},
    ],
}


def config(
    escalate_after_s: float = 60.0,
    exclude: list[list[list[int]]] | None = None,
    image_quality: dict[str, Any] | None = None,
    trend: dict[str, Any] | None = None,
    motion: dict[str, Any] | None = None,
) -> AppConfig:
    site = minimal_site(
        analysis_fps=30,
        roi=[[0, 0], [160, 0], [160, 120], [0, 120]],
        thresholds=COUNT_LEVELS,
        exclude=exclude or [],
        image_quality=image_quality or {},
        trend=trend or {},
        motion=motion or {},
    )
    site["thresholds"] = COUNT_LEVELS
    platform = {
        "id": "p1",
        "name": "Wuyi platform",
        "tier_minutes": 1,
        "location": {"lat": 28.196, "lon": 112.977},
    }
    return AppConfig.model_validate(
        {
            "sites": [site],
            "platforms": [platform],
            "alerts": {"escalate_unacknowledged_after_s": escalate_after_s},
        }
    )


class Harness:
    def __init__(
        self,
        store: SqlStore,
        estimator: DensityEstimator,
        escalate_after_s: float = 60.0,
        exclude: list[list[list[int]]] | None = None,
        image_quality: dict[str, Any] | None = None,
        trend: dict[str, Any] | None = None,
        motion: dict[str, Any] | None = None,
    ) -> None:
        self.bus = InMemoryBus(first_id=1)
        self.events: ThreadSubscription = self.bus.subscribe()
        self.sources = PushedSources()
        self.writer = ReadingWriter(store, flush_interval_s=0.05)
        self.store = store
        self.runtime = Runtime(
            config(escalate_after_s, exclude, image_quality, trend, motion),
            estimator,
            self.sources,
            self.bus,
            store,
            self.writer,
        )

    def start(self) -> None:
        self.writer.start()
        self.runtime.start()

    def stop(self) -> None:
        self.runtime.stop()
        self.writer.stop(5.0)

    def next_event(self, type: MessageType) -> Published:
        while True:
            item = self.events.get(timeout=5.0)
            assert item is not None, f"no {type} event within 5 s"
            if item.type is type:
                return item

    def frame(self, people: int, at: float) -> tuple[ReadingPayload, list[AlertPayload]]:
        """Pushes one frame and returns its reading and the alert events it caused."""
        return self.image(scene(people), at)

    def image(self, image: np.ndarray, at: float) -> tuple[ReadingPayload, list[AlertPayload]]:
        seq = self.sources.by_site["wuyi-square"].push(image, captured_at=at)
        alerts: list[AlertPayload] = []
        while True:
            item = self.events.get(timeout=5.0)
            assert item is not None, f"frame {seq} was not analysed within 5 s"
            if isinstance(item.payload, AlertPayload):
                alerts.append(item.payload)
            if isinstance(item.payload, ReadingPayload) and item.payload.seq == seq:
                return item.payload, alerts


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    store = SqlStore(f"sqlite:///{tmp_path / 'store.db'}")
    yield store
    store.close()


@pytest.fixture
def harness(store: SqlStore) -> Iterator[Harness]:
    harness = Harness(store, BlobCountEstimator())
    harness.start()
    yield harness
    harness.stop()


def test_readings_measure_the_frame(harness: Harness) -> None:
    reading, alerts = harness.frame(2, at=100.0)
    assert reading.count == pytest.approx(2.0)
    assert reading.mean_density == pytest.approx(2.0 / 100.0)  # minimal site: 100 m²
    assert reading.captured_at == 100.0
    assert reading.level == "normal"
    assert (reading.frame_width, reading.frame_height) == (160, 120)
    assert alerts == []


def test_alert_lifecycle_through_the_loop(harness: Harness) -> None:
    # Frame times on the wall clock, as a camera delivers them: the acknowledgement in
    # between is stamped with the wall clock too.
    start = time.time() - 10.0
    harness.frame(0, at=start)
    reading, alerts = harness.frame(4, at=start + 0.1)
    assert reading.level == "elevated"
    assert [a.event.kind for a in alerts] == ["raised"]
    alert_id = alerts[0].alert.id

    reading, alerts = harness.frame(7, at=start + 0.2)
    assert (reading.level, [a.event.kind for a in alerts]) == ("high", ["escalated"])

    acknowledged = harness.runtime.acknowledge(alert_id, by="officer li", note="on it")
    assert acknowledged.alert.state == "acknowledged"
    assert harness.next_event(MessageType.ALERT).payload == acknowledged

    dispatched = harness.runtime.dispatch(alert_id, "p1", by="officer li", note="")
    assert (dispatched.alert.state, dispatched.alert.tier_minutes) == ("dispatched", 1)
    assert harness.next_event(MessageType.ALERT).payload == dispatched
    with pytest.raises(UnknownPlatform):
        harness.runtime.dispatch(alert_id, "nowhere", by="officer li", note="")
    with pytest.raises(AlertError, match="once the crowd has cleared"):
        harness.runtime.resolve(alert_id, by="officer li", outcome="too early")

    reading, alerts = harness.frame(0, at=time.time())
    assert (reading.level, [a.event.kind for a in alerts]) == ("normal", ["cleared"])
    assert [a.id for a in harness.runtime.open_alerts()] == [alert_id]  # still to resolve

    # Operator steps on an alert the engine has let go of: loaded from the store.
    harness.runtime.arrive(alert_id, by="officer li", note="on site")
    resolved = harness.runtime.resolve(alert_id, by="officer li", outcome="dispersed")
    assert resolved.alert.state == "resolved"
    assert harness.runtime.open_alerts() == []
    stored = harness.store.alert(alert_id)
    assert stored is not None
    assert (stored.state.value, stored.outcome) == ("resolved", "dispersed")
    kinds = [event.kind.value for event in harness.store.alert_events(alert_id)]
    assert kinds == [
        "raised",
        "escalated",
        "acknowledged",
        "dispatched",
        "cleared",
        "arrived",
        "resolved",
    ]


def test_alert_turns_overdue_after_its_camera_goes_offline(store: SqlStore) -> None:
    """No frames after the alert: the acknowledgement deadline must still fire."""
    harness = Harness(store, BlobCountEstimator(), escalate_after_s=1.0)
    harness.start()
    try:
        harness.frame(0, at=500.0)
        _, alerts = harness.frame(4, at=500.1)
        assert [a.event.kind for a in alerts] == ["raised"]
        harness.sources.by_site["wuyi-square"].report("offline", "stream lost")
        overdue = harness.next_event(MessageType.ALERT).payload
        assert isinstance(overdue, AlertPayload)
        assert overdue.event.kind == "overdue"
        # On the frames' own clock (they started at 500 s), not the wall clock.
        assert 501.1 <= overdue.event.at < 510.0
        assert overdue.alert.overdue_at == overdue.event.at
        stored = store.alert(overdue.alert.id)
        assert stored is not None
        assert stored.overdue_at == overdue.event.at
    finally:
        harness.stop()


def street(noise_sigma: float = 0.0) -> np.ndarray:
    """A textured picture (a good camera's), with sensor noise on top if asked."""
    rng = np.random.default_rng(5)
    grain = rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)
    texture = cv2.GaussianBlur(grain, (0, 0), 1.0).astype(np.float32)
    texture += np.linspace(-60.0, 60.0, 160, dtype=np.float32)[None, :, None]  # light and shade
    texture[:40] = 120  # a plain strip, as sky or pavement: where noise shows alone
    noisy: np.ndarray = np.clip(texture + rng.normal(0.0, noise_sigma, texture.shape), 0, 255)
    return noisy.astype(np.uint8)


@pytest.mark.parametrize(
    ("image", "issues"),
    [
        pytest.param(street(), [], id="good"),
        pytest.param(street(noise_sigma=15.0), ["noise"], id="grainy"),
        pytest.param(np.full((120, 160, 3), 40, np.uint8), ["blank"], id="covered-lens"),
    ],
)
def test_each_reading_carries_its_picture_quality_to_bus_and_store(
    store: SqlStore, image: np.ndarray, issues: list[str]
) -> None:
    harness = Harness(
        store, BlobCountEstimator(), image_quality={"enabled": True, "window_frames": 1}
    )
    harness.start()
    try:
        reading, _ = harness.image(image, at=300.0)
    finally:
        harness.stop()
    assert reading.image_quality is not None
    assert reading.image_quality.issues == issues
    assert reading.image_quality.noise == round(reading.image_quality.noise, 3)
    [stored] = store.readings("wuyi-square", since=None, until=None, limit=10)
    assert stored.quality is not None
    assert list(stored.quality.issues) == issues


def test_a_covered_lens_neither_clears_nor_raises_an_alert(store: SqlStore) -> None:
    """It reads no one, and no one is what would clear the alert: the engine must not see it."""
    harness = Harness(
        store, BlobCountEstimator(), image_quality={"enabled": True, "window_frames": 1}
    )
    covered = np.full((120, 160, 3), 40, np.uint8)
    empty_street = street() // 2  # a real picture, all of it below the blob threshold
    harness.start()
    try:
        reading, alerts = harness.frame(7, at=600.0)
        assert (reading.level, [a.event.kind for a in alerts]) == ("high", ["raised"])
        for at in (600.5, 601.0, 601.5):
            reading, alerts = harness.image(covered, at=at)
            assert (reading.count, reading.level, alerts) == (0.0, "high", [])
            assert reading.image_quality is not None
            assert reading.image_quality.issues == ["blank"]
        reading, alerts = harness.image(empty_street, at=602.0)
    finally:
        harness.stop()
    assert reading.image_quality is not None
    assert reading.image_quality.issues == []
    assert (reading.count, reading.level, [a.event.kind for a in alerts]) == (
        0.0,
        "normal",
        ["cleared"],
    )


def test_the_site_says_since_when_its_picture_has_had_its_issues(store: SqlStore) -> None:
    harness = Harness(
        store, BlobCountEstimator(), image_quality={"enabled": True, "window_frames": 1}
    )
    covered = np.full((120, 160, 3), 40, np.uint8)
    harness.start()
    try:
        harness.image(street(), at=700.0)
        assert harness.runtime.site("wuyi-square").picture_since is None
        for at in (701.0, 702.0):
            harness.image(covered, at=at)
            assert harness.runtime.site("wuyi-square").picture_since == 701.0
        harness.image(street(noise_sigma=15.0), at=703.0)  # another issue: a new since
        assert harness.runtime.site("wuyi-square").picture_since == 703.0
        harness.image(street(), at=704.0)
        assert harness.runtime.site("wuyi-square").picture_since is None
    finally:
        harness.stop()


def test_the_site_says_since_when_it_has_had_its_status(harness: Harness) -> None:
    source = harness.sources.by_site["wuyi-square"]
    assert harness.runtime.site("wuyi-square").status_since is None

    source.report("offline", "no frames for 10 s")
    went_offline = harness.next_event(MessageType.SITE_STATUS).ts
    source.report("offline", "cannot open rtsp://cam-7/stream")
    harness.next_event(MessageType.SITE_STATUS)
    offline = harness.runtime.site("wuyi-square")
    source.report("online")
    back = harness.next_event(MessageType.SITE_STATUS).ts

    # A new reason is the same outage: it is offline since it went offline.
    assert (offline.status_reason, offline.status_since) == (
        "cannot open rtsp://cam-7/stream",
        went_offline,
    )
    assert harness.runtime.site("wuyi-square").status_since == back > went_offline


def test_a_site_with_quality_assessment_off_reads_none(store: SqlStore) -> None:
    harness = Harness(store, BlobCountEstimator(), image_quality={"enabled": False})
    harness.start()
    try:
        reading, _ = harness.image(np.full((120, 160, 3), 40, np.uint8), at=300.0)
    finally:
        harness.stop()
    assert reading.image_quality is None


def test_readings_carry_the_trend_once_the_window_has_filled(store: SqlStore) -> None:
    # A 40 s window: a trend from 20 s of readings on. One person, then one more every
    # 10 s. (An empty black scene would be a blank picture: no trend for another reason.)
    harness = Harness(
        store,
        BlobCountEstimator(),
        image_quality={"enabled": True, "window_frames": 1},
        trend={"window_s": 40, "horizon_s": 60},
    )
    harness.start()
    try:
        early = [harness.frame(1, at=1000.0 + t)[0] for t in (0, 5, 10, 15)]
        rising = [harness.frame(t // 10, at=1000.0 + t)[0] for t in range(20, 45, 5)]
        covered, _ = harness.image(np.full((120, 160, 3), 40, np.uint8), at=1045.0)
        latest = harness.runtime.site("wuyi-square").latest
    finally:
        harness.stop()
    assert [r.trend for r in early] == [None] * 4
    assert all(r.image_quality and "blank" not in r.image_quality.issues for r in early)
    last = rising[-1]
    assert last.trend is not None
    assert (last.count, last.level) == (4, "elevated")
    assert last.trend.direction == "rising"
    assert last.trend.rate_per_min == pytest.approx(6, rel=0.35)
    # Elevated now: 'high' (6) is next, about 20 s away at 6 a minute.
    assert (last.trend.next_level, last.trend.next_enter) == ("high", 6)
    assert last.trend.eta_s is not None
    assert 5 < last.trend.eta_s < 40
    # A covered lens reads no one, which says nothing of the crowd.
    assert covered.trend is None
    assert latest is not None
    assert latest.seq == covered.seq
    assert latest.trend is None


def test_a_site_with_the_trend_off_reads_none(store: SqlStore) -> None:
    harness = Harness(store, BlobCountEstimator(), trend={"enabled": False})
    harness.start()
    try:
        readings = [harness.frame(t // 10, at=1000.0 + t)[0] for t in range(0, 150, 5)]
    finally:
        harness.stop()
    assert {r.trend for r in readings} == {None}


def walking(people: int, step_px: int) -> np.ndarray:
    """`scene(people)` after everyone walked `step_px` pixels east."""
    return np.roll(scene(people), step_px, axis=1)


def test_readings_carry_the_crowds_motion_to_bus_and_store(store: SqlStore) -> None:
    # The site's ground: 100 m² over 160 x 120 pixels, 0.072 m a pixel.
    metres_per_pixel = (100 / (160 * 120)) ** 0.5
    harness = Harness(store, BlobCountEstimator(), motion={"max_gap_s": 1.0})
    harness.start()
    try:
        first, _ = harness.image(walking(4, 0), at=100.0)
        moved, _ = harness.image(walking(4, 4), at=100.5)
        still, _ = harness.image(walking(4, 4), at=101.0)
        after_gap, _ = harness.image(walking(4, 12), at=103.0)
    finally:
        harness.stop()
    # Motion needs a frame before it, close enough in time.
    assert first.motion is None
    assert after_gap.motion is None
    assert moved.motion is not None
    assert moved.motion.speed_m_s == pytest.approx(4 * metres_per_pixel / 0.5, rel=0.25)
    assert still.motion is not None
    assert still.motion.speed_m_s == pytest.approx(0.0, abs=0.05)
    # Four people 24 px apart are far below 2/m²: no pressure is taken.
    assert (moved.motion.pressure, moved.motion.turbulent) == (0.0, False)
    stored = store.readings("wuyi-square", since=None, until=None, limit=10)
    assert [r.motion is None for r in stored] == [True, False, False, True]
    assert stored[1].motion is not None
    assert stored[1].motion.speed_m_s == moved.motion.speed_m_s


def test_motion_starts_afresh_after_a_covered_lens(store: SqlStore) -> None:
    harness = Harness(
        store, BlobCountEstimator(), image_quality={"enabled": True, "window_frames": 1}
    )
    covered_lens = np.full((120, 160, 3), 40, np.uint8)
    harness.start()
    try:
        frames = [street(), np.roll(street(), 2, axis=1), covered_lens, street(), street()]
        readings = [harness.image(image, at=200.0 + k / 2)[0] for k, image in enumerate(frames)]
    finally:
        harness.stop()
    assert [r.image_quality and r.image_quality.issues for r in readings] == [
        [],
        [],
        ["blank"],
        [],
        [],
    ]
    # The frame after the covered lens has nothing to follow: no motion from grey to a street.
    assert [r.motion is None for r in readings] == [True, False, True, True, False]


def test_a_site_with_motion_off_reads_none(store: SqlStore) -> None:
    harness = Harness(store, BlobCountEstimator(), motion={"enabled": False})
    harness.start()
    try:
        readings = [harness.image(walking(4, t), at=100.0 + t / 2)[0] for t in range(4)]
    finally:
        harness.stop()
    assert {r.motion for r in readings} == {None}


def test_readings_reach_the_store(harness: Harness) -> None:
    for n, people in enumerate([1, 2, 3]):
        harness.frame(people, at=200.0 + n)
    harness.writer.stop(5.0)
    stored = harness.store.readings("wuyi-square", since=None, until=None, limit=100)
    assert [(r.captured_at, r.count) for r in stored] == [(200.0, 1.0), (201.0, 2.0), (202.0, 3.0)]


def test_new_thresholds_apply_to_the_next_frame(harness: Harness) -> None:
    harness.frame(2, at=100.0)
    stricter = ThresholdsConfig.model_validate(
        {
            **COUNT_LEVELS,
            "levels": [{"name": "elevated", "color": "#f5c542", "enter": 1, "exit": 0.5}],
        }
    )
    harness.runtime.set_thresholds("wuyi-square", stricter, by="supervisor wang")
    change = harness.next_event(MessageType.THRESHOLDS)
    assert change.site_id == "wuyi-square"
    reading, alerts = harness.frame(2, at=101.0)
    assert reading.level == "elevated"
    assert [a.event.kind for a in alerts] == ["raised"]
    assert harness.store.current_thresholds()["wuyi-square"] == stricter


def test_state_survives_a_restart(store: SqlStore) -> None:
    first = Harness(store, BlobCountEstimator())
    first.start()
    _, alerts = first.frame(7, at=100.0)
    stricter = ThresholdsConfig.model_validate({**COUNT_LEVELS, "min_duration_s": 3})
    first.runtime.set_thresholds("wuyi-square", stricter, by="supervisor wang")
    first.stop()

    second = Harness(store, BlobCountEstimator())
    second.start()
    try:
        assert [a.id for a in second.runtime.open_alerts()] == [alerts[0].alert.id]
        site = second.runtime.site("wuyi-square")
        assert site.level == "high"
        assert site.thresholds.min_duration_s == 3
    finally:
        second.stop()


def test_snapshot_is_the_latest_analysed_frame(harness: Harness) -> None:
    assert harness.runtime.snapshot_jpeg("wuyi-square", overlay=True) is None
    harness.frame(3, at=100.0)
    plain = harness.runtime.snapshot_jpeg("wuyi-square", overlay=False)
    heat = harness.runtime.snapshot_jpeg("wuyi-square", overlay=True)
    assert plain is not None
    assert plain.startswith(b"\xff\xd8")
    assert heat is not None
    assert heat != plain


def test_excluded_area_is_not_counted_and_dimmed_on_the_snapshot(store: SqlStore) -> None:
    """Two of the three people stand in the excluded area: the count drops to one, and the
    operator's snapshot shows that area dimmed and outlined."""
    exclusion = [[0, 0], [44, 0], [44, 30], [0, 30]]
    harness = Harness(store, BlobCountEstimator(), exclude=[exclusion])
    harness.start()
    try:
        reading, _ = harness.frame(3, at=100.0)
        assert reading.count == pytest.approx(1.0, abs=0.3)
        heat = harness.runtime.snapshot_jpeg("wuyi-square", overlay=True)
        assert heat is not None
        decoded = cv2.imdecode(np.frombuffer(heat, np.uint8), cv2.IMREAD_COLOR)
        assert decoded is not None
        shown = decoded.astype(np.float32)
        roi = [(0.0, 0.0), (160.0, 0.0), (160.0, 120.0), (0.0, 120.0)]
        polygon = [(float(x), float(y)) for x, y in exclusion]
        with_exclusion = draw_heat(scene(3), reading.grid, roi, exclude=[polygon])
        without = draw_heat(scene(3), reading.grid, roi)
        error_with = np.abs(shown - with_exclusion).mean()
        error_without = np.abs(shown - without).mean()
        assert error_with < error_without / 2, (error_with, error_without)
    finally:
        harness.stop()


def test_source_status_reaches_site_and_bus(harness: Harness) -> None:
    harness.sources.by_site["wuyi-square"].report("offline", "cannot open rtsp://cam-7/stream")
    event = harness.next_event(MessageType.SITE_STATUS)
    assert isinstance(event.payload, SiteStatusPayload)
    assert (event.payload.status, event.payload.reason) == (
        "offline",
        "cannot open rtsp://cam-7/stream",
    )
    site = harness.runtime.site("wuyi-square")
    assert (site.status, site.status_reason) == ("offline", "cannot open rtsp://cam-7/stream")


def test_failing_analysis_marks_site_offline_until_it_recovers(store: SqlStore) -> None:
    estimator = FailingEstimator()
    harness = Harness(store, estimator)
    harness.start()
    try:
        source = harness.sources.by_site["wuyi-square"]
        source.report("online")
        assert harness.next_event(MessageType.SITE_STATUS).payload == SiteStatusPayload(
            status="online"
        )
        source.push(scene(1), captured_at=100.0)
        failed = harness.next_event(MessageType.SITE_STATUS).payload
        assert isinstance(failed, SiteStatusPayload)
        assert failed.status == "offline"
        assert "model exploded" in failed.reason
        estimator.failing = False
        source.push(scene(1), captured_at=101.0)
        recovered = harness.next_event(MessageType.SITE_STATUS).payload
        assert isinstance(recovered, SiteStatusPayload)
        assert recovered.status == "online"
    finally:
        harness.stop()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        pytest.param(lambda r: r.site("nowhere"), UnknownSite, id="unknown-site"),
        pytest.param(
            lambda r: r.snapshot_jpeg("nowhere", True), UnknownSite, id="snapshot-unknown-site"
        ),
        pytest.param(lambda r: r.acknowledge("nope", "x", ""), UnknownAlert, id="unknown-alert"),
    ],
)
def test_unknown_ids(harness: Harness, call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call(harness.runtime)


def test_cleared_unresolved_alert_survives_a_restart_and_is_resolved_after(
    store: SqlStore,
) -> None:
    first = Harness(store, BlobCountEstimator())
    first.start()
    try:
        _, raised = first.frame(4, at=100.0)
        alert_id = raised[0].alert.id
        first.runtime.acknowledge(alert_id, by="officer li", note="")
        _, cleared = first.frame(0, at=101.0)
        assert [a.event.kind for a in cleared] == ["acknowledged", "cleared"]
    finally:
        first.stop()

    second = Harness(store, BlobCountEstimator())
    second.start()
    try:
        assert [a.id for a in second.runtime.open_alerts()] == [alert_id]
        assert second.runtime.site("wuyi-square").level == "normal"
        # A new crowd is a new alert; the old one still waits for its outcome.
        _, again = second.frame(4, at=102.0)
        assert [a.event.kind for a in again] == ["raised"]
        assert again[0].alert.id != alert_id
        done = second.runtime.resolve(alert_id, by="officer li", outcome="handled")
        assert done.alert.state == "resolved"
        assert [a.id for a in second.runtime.open_alerts()] == [again[0].alert.id]
    finally:
        second.stop()
