from __future__ import annotations

import pytest

from monitor.ingest.redact import redact_source, redact_text


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "rtsp://admin:hunter2@cam.local:554/Streaming/101",
            "rtsp://***@cam.local:554/Streaming/101",
            id="rtsp-user-password",
        ),
        pytest.param("rtsp://admin@cam.local/live", "rtsp://***@cam.local/live", id="user-only"),
        pytest.param(
            "rtsp://admin:p@ss/w0rd@10.0.0.7/live",
            "rtsp://***@10.0.0.7/live",
            id="password-with-at-and-slash",
        ),
        pytest.param(
            "HTTPS://u:p@example.org/mjpg?resolution=640",
            "HTTPS://***@example.org/mjpg?resolution=640",
            id="uppercase-scheme-keeps-query",
        ),
        pytest.param(
            "http://cam/video.cgi?user=admin&password=hunter2&fps=5",
            "http://cam/video.cgi?user=***&password=***&fps=5",
            id="secret-query-params",
        ),
        pytest.param(
            "https://cdn.example/x.m3u8?token=abc#frag",
            "https://cdn.example/x.m3u8?token=***#frag",
            id="token-and-fragment",
        ),
        pytest.param("rtsp://cam.local/live", "rtsp://cam.local/live", id="no-credentials"),
        pytest.param("/srv/clips/gate.mp4", "/srv/clips/gate.mp4", id="path"),
        pytest.param("0", "0", id="device"),
        pytest.param("sample:vtest", "sample:vtest", id="sample"),
    ],
)
def test_redact_source(source: str, expected: str) -> None:
    assert redact_source(source) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("could not open rtsp://admin:hunter2@cam/live: refused", id="embedded-url"),
        pytest.param("tcp://admin:hun@ter2@cam:554 failed", id="password-with-at"),
    ],
)
def test_redact_text_masks_urls_in_messages(text: str) -> None:
    redacted = redact_text(text)

    assert "hunter2" not in redacted
    assert "hun" not in redacted
    assert "***@" in redacted


def test_redact_text_masks_the_given_source_verbatim() -> None:
    source = "http://cam/video.cgi?password=hunter2"

    assert redact_text(f"failed: {source}", source) == "failed: http://cam/video.cgi?password=***"
