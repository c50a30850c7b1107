from __future__ import annotations

from pathlib import Path

import pytest

from monitor.ingest.locator import SourceTarget, resolve_source


def _samples(name: str) -> Path:
    return Path("/cache") / f"{name}.avi"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("0", SourceTarget("device", 0, "camera 0"), id="device-0"),
        pytest.param("12", SourceTarget("device", 12, "camera 12"), id="device-12"),
        pytest.param(
            "sample:vtest",
            SourceTarget("file", "/cache/vtest.avi", "/cache/vtest.avi"),
            id="sample",
        ),
        pytest.param(
            "/srv/a b.mp4", SourceTarget("file", "/srv/a b.mp4", "/srv/a b.mp4"), id="path"
        ),
        pytest.param(
            "clips/gate.avi",
            SourceTarget("file", "clips/gate.avi", "clips/gate.avi"),
            id="relative-path",
        ),
        pytest.param(
            "file:///srv/a%20b.mp4",
            SourceTarget("file", "/srv/a b.mp4", "/srv/a b.mp4"),
            id="file-url",
        ),
        pytest.param(
            "rtsp://u:secret@cam/live",
            SourceTarget("stream", "rtsp://u:secret@cam/live", "rtsp://***@cam/live"),
            id="rtsp-keeps-credentials-for-opencv-only",
        ),
        pytest.param(
            "https://cam/mjpg",
            SourceTarget("stream", "https://cam/mjpg", "https://cam/mjpg"),
            id="https",
        ),
        pytest.param("٣", SourceTarget("file", "٣", "٣"), id="non-ascii-digit-is-a-path"),
    ],
)
def test_resolve_source(source: str, expected: SourceTarget) -> None:
    assert resolve_source(source, _samples) == expected


@pytest.mark.parametrize(
    ("kind", "live"),
    [
        pytest.param("file", False, id="file"),
        pytest.param("stream", True, id="stream"),
        pytest.param("device", True, id="device"),
    ],
)
def test_only_files_are_paced(kind: str, live: bool) -> None:
    assert SourceTarget(kind, "x", "x").live is live  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "resolver", "message"),
    [
        pytest.param("sample:", _samples, "sample name missing", id="no-name"),
        pytest.param("sample:vtest", None, "no sample resolver", id="no-resolver"),
    ],
)
def test_bad_sample_sources_are_rejected(source: str, resolver: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve_source(source, resolver)  # type: ignore[arg-type]
