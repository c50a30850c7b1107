from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from monitor.ingest.backoff import Backoff
from monitor.ingest.frames import CapturedFrame
from monitor.ingest.source import FrameSource
from tests.ingest.conftest import HEIGHT, WIDTH, StatusRecorder, frame_index, write_video

FAST_RETRY = Backoff(initial_s=0.05, max_s=0.2)


@pytest.fixture
def sources() -> Iterator[Callable[..., FrameSource]]:
    """Builds started FrameSources and makes sure every one is stopped."""
    started: list[FrameSource] = []

    def start(source: str, **options: object) -> FrameSource:
        options.setdefault("backoff", FAST_RETRY)
        frame_source = FrameSource(source, **options)  # type: ignore[arg-type]
        frame_source.start()
        started.append(frame_source)
        return frame_source

    yield start
    for frame_source in started:
        assert frame_source.stop(timeout=10), f"{frame_source.name} did not stop"


def take_frames(source: FrameSource, count: int, timeout: float = 10.0) -> list[CapturedFrame]:
    frames: list[CapturedFrame] = []
    last_seq = 0
    while len(frames) < count:
        frame = source.frames.take_newer(last_seq, timeout)
        assert frame is not None, f"no frame within {timeout} s; status {source.status}"
        frames.append(frame)
        last_seq = frame.seq
    return frames


def test_file_plays_bgr_frames_at_about_its_rate(
    sources: Callable[..., FrameSource], video: Path, recorder: StatusRecorder
) -> None:
    source = sources(str(video), on_status=recorder)

    frames = take_frames(source, 11)

    _, reason = recorder.wait_for("online")
    assert str(video) in reason
    assert frames[0].image.shape == (HEIGHT, WIDTH, 3)
    assert frames[0].image.dtype == np.uint8
    # Ten periods at 10 fps are 1 s; unpaced decoding of 64x48 MJPG takes milliseconds.
    assert 0.5 < frames[-1].captured_at - frames[0].captured_at < 5.0


def test_file_loops_past_its_end_with_increasing_seq(
    sources: Callable[..., FrameSource], tmp_path: Path
) -> None:
    source = sources(str(write_video(tmp_path / "short.avi", frames=5, fps=25)))

    frames = take_frames(source, 12)

    seqs = [frame.seq for frame in frames]
    indexes = [frame_index(frame.image) for frame in frames]
    assert seqs == sorted(set(seqs)), seqs
    wraps = [i for i in range(1, len(indexes)) if indexes[i] < indexes[i - 1]]
    assert wraps, f"content never wrapped: {indexes}"
    assert indexes[wraps[0]] == 0, indexes


@pytest.mark.parametrize(
    ("offset_s", "first_index"),
    [
        pytest.param(1.0, 10, id="one-second-in"),
        pytest.param(2.5, 5, id="past-the-end-wraps"),
    ],
)
def test_start_offset(
    sources: Callable[..., FrameSource], video: Path, offset_s: float, first_index: int
) -> None:
    source = sources(str(video), start_offset_s=offset_s)

    first = take_frames(source, 1)[0]

    assert frame_index(first.image) == first_index


def test_missing_file_goes_offline_then_online_when_it_appears(
    sources: Callable[..., FrameSource], tmp_path: Path, recorder: StatusRecorder
) -> None:
    path = tmp_path / "later.avi"
    source = sources(str(path), on_status=recorder)

    _, reason = recorder.wait_for("offline")
    assert reason == f"file not found: {path}"
    assert source.status == "offline"

    write_video(tmp_path / "writing.avi").rename(path)  # appears whole, as a copy would
    recorder.wait_for("online")
    assert take_frames(source, 1)


def _delete(path: Path) -> None:
    path.unlink()


def _truncate(path: Path) -> None:
    os.truncate(path, 1000)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        pytest.param(_delete, "file vanished", id="deleted"),
        pytest.param(_truncate, "file truncated", id="truncated"),
    ],
)
def test_file_damaged_while_playing_goes_offline(
    sources: Callable[..., FrameSource],
    video: Path,
    recorder: StatusRecorder,
    damage: Callable[[Path], None],
    reason: str,
) -> None:
    sources(str(video), on_status=recorder)
    online, _ = recorder.wait_for("online")

    damage(video)

    _, offline_reason = recorder.wait_for("offline", after=online)
    assert offline_reason == f"{reason}: {video}"


def test_unreadable_file_goes_offline(
    sources: Callable[..., FrameSource], tmp_path: Path, recorder: StatusRecorder
) -> None:
    junk = tmp_path / "junk.avi"
    junk.write_bytes(b"not a video" * 100)
    sources(str(junk), on_status=recorder)

    _, reason = recorder.wait_for("offline")

    assert str(junk) in reason


@pytest.mark.parametrize(
    "url",
    [
        # Port 1 on loopback refuses at once: a dead camera without any network.
        pytest.param("rtsp://admin:hunter2@127.0.0.1:1/live", id="rtsp"),
        pytest.param("http://admin:hunter2@127.0.0.1:1/mjpg?password=hunter2", id="http"),
    ],
)
def test_dead_stream_goes_offline_without_leaking_credentials(
    sources: Callable[..., FrameSource],
    recorder: StatusRecorder,
    caplog: pytest.LogCaptureFixture,
    url: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="monitor.ingest")
    source = sources(url, on_status=recorder, name=None)

    _, reason = recorder.wait_for("offline")

    assert reason.startswith("cannot open ")
    assert "127.0.0.1:1" in reason
    everything = " ".join([reason, source.name, source.source, source.status_reason, caplog.text])
    everything += " ".join(reason for _, reason in recorder.events)
    assert "hunter2" not in everything
    assert "admin" not in everything


def test_sample_source_plays_through_the_resolver(
    sources: Callable[..., FrameSource], video: Path
) -> None:
    asked: list[str] = []

    def samples(name: str) -> Path:
        asked.append(name)
        return video

    source = sources("sample:demo", samples=samples)

    assert take_frames(source, 1)
    assert asked == ["demo"]


def test_failing_resolver_goes_offline_with_its_message(
    sources: Callable[..., FrameSource], recorder: StatusRecorder
) -> None:
    def samples(name: str) -> Path:
        raise LookupError(f"no sample {name}:\n  cache: empty\n  mirror: down")

    sources("sample:nope", samples=samples, on_status=recorder)

    _, reason = recorder.wait_for("offline")
    assert reason == "cannot resolve sample:nope: no sample nope: cache: empty; mirror: down"


def test_frames_nobody_takes_are_counted_as_dropped(
    sources: Callable[..., FrameSource], tmp_path: Path
) -> None:
    source = sources(str(write_video(tmp_path / "fast.avi", fps=50)))
    first = take_frames(source, 1)[0]

    # Waiting for seq first+4 without taking lets first+1..first+3 be overwritten.
    later = source.frames.take_newer(first.seq + 3, timeout=10)

    assert later is not None
    assert source.dropped_frames >= 3


def test_a_failing_status_callback_does_not_stop_capture(
    sources: Callable[..., FrameSource], video: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(status: str, reason: str) -> None:
        raise RuntimeError("listener bug")

    source = sources(str(video), on_status=broken)

    assert len(take_frames(source, 3)) == 3
    assert "status callback failed" in caplog.text


@pytest.mark.parametrize(
    ("make_source", "settled"),
    [
        pytest.param(lambda tmp: str(write_video(tmp / "v.avi")), "online", id="while-playing"),
        pytest.param(lambda tmp: str(tmp / "missing.avi"), "offline", id="during-long-backoff"),
    ],
)
def test_stop_is_prompt_and_ends_the_thread(
    tmp_path: Path,
    recorder: StatusRecorder,
    make_source: Callable[[Path], str],
    settled: str,
) -> None:
    source = FrameSource(
        make_source(tmp_path), name="gate", on_status=recorder, backoff=Backoff(3600, 3600)
    )
    source.start()
    recorder.wait_for(settled)

    assert source.stop(timeout=5) is True
    assert not source.running
    assert not [t for t in threading.enumerate() if t.name == "capture-gate"]


def test_a_source_starts_only_once(video: Path) -> None:
    source = FrameSource(str(video))
    with source, pytest.raises(RuntimeError, match="already started"):
        source.start()
    assert not source.running
