"""Builds minimal Debian packages (ar + tar) for tests, without dpkg."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path


def _tar_xz(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as tar:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _ar_member(name: str, content: bytes) -> bytes:
    header = f"{name + '/':<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(content):<10}".encode() + b"`\n"
    assert len(header) == 60
    return header + content + (b"\n" if len(content) % 2 else b"")


def write_deb(path: Path, files: dict[str, bytes]) -> Path:
    """A .deb whose data archive holds `files` (names like ``./usr/share/x``)."""
    control = b"odd-sized control archive"  # odd length: exercises ar's padding byte
    path.write_bytes(
        b"!<arch>\n"
        + _ar_member("debian-binary", b"2.0\n")
        + _ar_member("control.tar.xz", control)
        + _ar_member("data.tar.xz", _tar_xz(files))
    )
    return path
