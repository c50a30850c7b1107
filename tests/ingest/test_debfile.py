from __future__ import annotations

import io
from pathlib import Path

import pytest

from monitor.ingest.debfile import DebError, copy_member
from tests.ingest.debs import write_deb

CLIP = b"\x00clip bytes\xff" * 100


@pytest.fixture
def deb(tmp_path: Path) -> Path:
    return write_deb(
        tmp_path / "pkg_1.0_all.deb",
        {"./usr/share/doc/pkg/README": b"readme", "./usr/share/doc/pkg/data/clip.avi": CLIP},
    )


@pytest.mark.parametrize(
    "member",
    [
        pytest.param("./usr/share/doc/pkg/data/clip.avi", id="as-dpkg-lists-it"),
        pytest.param("usr/share/doc/pkg/data/clip.avi", id="without-dot"),
        pytest.param("/usr/share/doc/pkg/data/clip.avi", id="absolute"),
    ],
)
def test_copies_one_member(deb: Path, member: str) -> None:
    out = io.BytesIO()

    copy_member(deb, member, out)

    assert out.getvalue() == CLIP


@pytest.mark.parametrize(
    ("content", "member", "message"),
    [
        pytest.param(None, "./usr/share/doc/pkg/nope", "not found", id="missing-member"),
        pytest.param(b"PK\x03\x04 a zip", "./x", "not a Debian package", id="not-ar"),
        pytest.param(b"!<arch>\nshort", "./x", "corrupt ar header", id="truncated-header"),
    ],
)
def test_errors(deb: Path, content: bytes | None, member: str, message: str) -> None:
    if content is not None:
        deb.write_bytes(content)

    with pytest.raises(DebError, match=message):
        copy_member(deb, member, io.BytesIO())
