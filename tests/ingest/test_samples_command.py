from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from types import MappingProxyType

import pytest

from monitor.cli import samples_command
from monitor.ingest.samples import Sample


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="crowd-monitor")
    samples_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


@pytest.mark.parametrize(
    ("good", "status"),
    [pytest.param(True, 0, id="verified"), pytest.param(False, 1, id="checksum-mismatch")],
)
def test_samples_command(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    good: bool,
    status: int,
) -> None:
    clip = tmp_path / "clip.avi"
    clip.write_bytes(b"clip")
    sha = hashlib.sha256(b"clip" if good else b"other").hexdigest()
    sample = Sample("clip", "clip.avi", sha, 4, "test", local_paths=(clip,))
    monkeypatch.setattr(samples_command, "SAMPLES", MappingProxyType({"clip": sample}))
    cache = tmp_path / "cache"

    assert _run(["samples", "--cache-dir", str(cache)]) == status

    out, err = capsys.readouterr()
    if good:
        assert out == f"clip: {cache / 'clip.avi'}\n"
    else:
        assert out == ""
        assert "error: cannot obtain sample 'clip'" in err
