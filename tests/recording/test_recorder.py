"""The recorder with the real encoder and real files, fed frames with exact times."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import sqlalchemy as sa

from monitor.config.recording import RecordingConfig
from monitor.ingest.frames import CapturedFrame
from monitor.recording.index import RecordingIndex
from monitor.recording.recorder import Recorder, RecorderState
from monitor.recording.replay import frame_at
from tests.support.recording import marked_scene, mean_abs_diff

T0 = 1_800_000_000.0
FPS = 10


@pytest.fixture
def index(tmp_path: Path) -> Iterator[RecordingIndex]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'index.db'}")
    yield RecordingIndex(engine)
    engine.dispose()


def frames(first: int, last: int) -> list[CapturedFrame]:
    """Frames `first`..`last` inclusive at 10 fps from T0, each different."""
    return [CapturedFrame(marked_scene(3, i), i + 1, T0 + i / FPS) for i in range(first, last + 1)]


def recorder(index: RecordingIndex, root: Path, **config: Any) -> Recorder:
    settings = {"policy": "continuous", "segment_s": 2, "queue_frames": 1000} | config
    return Recorder("site", RecordingConfig(**settings), root, index, retry_s=0.0)


def test_continuous_recording_splits_into_segments_whose_frames_match(
    index: RecordingIndex, tmp_path: Path
) -> None:
    root = tmp_path / "rec"
    made = recorder(index, root)
    sent = frames(0, 44)
    made.start()
    for frame in sent:
        made.offer(frame)
    assert made.stop()
    found = index.segments("site", None, None)
    assert [(s.start, s.frames) for s in found] == [
        (T0, 20),
        (T0 + 2.0, 20),
        (T0 + 4.0, 5),
    ]
    assert not list(root.rglob("*.part"))
    for segment in found:
        assert (root / segment.path).stat().st_size == segment.size
    for frame in sent[::7]:
        holder = index.segment_at("site", frame.captured_at)
        assert holder is not None
        decoded = frame_at(holder, root / holder.path, frame.captured_at + 0.01)
        assert decoded.at == pytest.approx(frame.captured_at, abs=0.001)
        nearest = min(sent, key=lambda f: mean_abs_diff(decoded.image, f.image))
        assert nearest.seq == frame.seq


def test_alerts_policy_records_from_pre_s_before_until_post_s_after(
    index: RecordingIndex, tmp_path: Path
) -> None:
    made = recorder(index, tmp_path, policy="alerts", pre_s=1, post_s=1, segment_s=60)
    made.start()
    for frame in frames(0, 60):  # 0 .. 6 s: the raise at 5 s reaches the recorder late
        made.offer(frame)
    made.alert_changed(True, T0 + 5.0)
    for frame in frames(61, 70):
        made.offer(frame)
    made.alert_changed(False, T0 + 7.0)
    for frame in frames(71, 120):
        made.offer(frame)
    assert made.stop()
    (segment,) = index.segments("site", None, None)
    assert segment.start == pytest.approx(T0 + 4.0)
    assert segment.end == pytest.approx(T0 + 8.0, abs=0.002)
    assert segment.frames == 41


def test_a_full_disk_pauses_then_recording_resumes(index: RecordingIndex, tmp_path: Path) -> None:
    states: list[RecorderState] = []
    recovered_at = T0 + 5.0

    def opener(path: Path) -> IO[bytes]:
        # Segments starting before `recovered_at` meet a full disk: /dev/full fails every
        # write with ENOSPC. The file name is the segment's start in epoch ms.
        full = int(path.name.split(".")[0]) < recovered_at * 1000
        return open("/dev/full" if full else path, "w+b")

    made = Recorder(
        "site",
        RecordingConfig(policy="continuous", segment_s=2, queue_frames=1000),
        tmp_path,
        index,
        on_state=states.append,
        opener=opener,
        retry_s=0.0,
    )
    made.start()
    for frame in frames(0, 89):
        made.offer(frame)
    assert made.stop()
    paused = [s for s in states if s.status == "paused"]
    assert paused
    assert "No space left on device" in paused[0].reason
    assert states[-1].status == "recording"
    found = index.segments("site", None, None)
    assert found
    assert found[0].start >= recovered_at, "only segments begun after the disk recovered"
    assert sum(s.frames for s in found) == sum(
        1 for f in frames(0, 89) if f.captured_at >= found[0].start
    )
    assert not list(tmp_path.rglob("*.part"))


def test_a_slow_encoder_drops_and_counts_instead_of_blocking(
    index: RecordingIndex, tmp_path: Path
) -> None:
    made = recorder(index, tmp_path, queue_frames=4)
    for frame in frames(0, 9):  # not started: nothing takes them
        made.offer(frame)
    assert made.state.dropped_frames == 6
    made.start()
    assert made.stop()
    (segment,) = index.segments("site", None, None)
    assert segment.frames == 4


def test_off_records_nothing(index: RecordingIndex, tmp_path: Path) -> None:
    made = recorder(index, tmp_path, policy="off")
    made.start()
    for frame in frames(0, 9):
        made.offer(frame)
    assert made.stop()
    assert made.state.status == "off"
    assert index.segments(None, None, None) == []


def test_a_cut_closes_the_open_segment_so_replay_reaches_the_present(
    index: RecordingIndex, tmp_path: Path
) -> None:
    made = recorder(index, tmp_path, segment_s=60)
    assert made.cut() is None  # not started: nothing to close
    made.start()
    for frame in frames(0, 24):
        made.offer(frame)
    # The frames queued before the cut are all in the closed segment.
    assert made.cut() == pytest.approx(T0 + 2.4)
    [closed] = index.segments("site", None, None)
    assert (closed.start, closed.frames) == (T0, 25)
    assert made.cut() is None  # nothing open since
    made.offer(frames(25, 25)[0])
    assert made.cut() is None  # a segment under a second old stays open
    for frame in frames(26, 34):
        made.offer(frame)
    assert made.stop()
    assert [(s.start, s.frames) for s in index.segments("site", None, None)] == [
        (T0, 25),
        (pytest.approx(T0 + 2.5), 10),
    ]
    assert made.cut() is None  # stopped


def test_a_cut_that_the_encoder_does_not_reach_in_time_says_so(
    index: RecordingIndex, tmp_path: Path
) -> None:
    gate = threading.Event()

    def slow_opener(path: Path) -> IO[bytes]:
        gate.wait(10)  # the encoder is stuck on the disk
        return open(path, "w+b")

    made = Recorder(
        "site",
        RecordingConfig(policy="continuous", segment_s=60, queue_frames=1000),
        tmp_path,
        index,
        opener=slow_opener,
    )
    made.start()
    for frame in frames(0, 4):
        made.offer(frame)
    with pytest.raises(TimeoutError, match="did not close its segment"):
        made.cut(timeout=0.2)
    gate.set()
    assert made.stop()
    # The late cut still closed the segment when the encoder got to it; nothing was lost.
    assert sum(s.frames for s in index.segments("site", None, None)) == 5
