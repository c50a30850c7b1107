"""Turn a site's `source` string into what `cv2.VideoCapture` opens."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from monitor.ingest.redact import redact_source

SourceKind = Literal["device", "file", "stream"]
SampleResolver = Callable[[str], Path]
"""Maps a sample name (the NAME in ``sample:NAME``) to a local clip, fetching it if need be."""

SAMPLE_PREFIX = "sample:"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True, slots=True)
class SourceTarget:
    kind: SourceKind
    target: int | str
    """Passed to OpenCV as is: a device index, a file path or a stream URL."""
    display: str
    """How the source is named in reasons and logs: credentials masked."""

    @property
    def live(self) -> bool:
        """Live sources deliver at their own pace; files are paced and looped by us."""
        return self.kind != "file"


def resolve_source(source: str, samples: SampleResolver | None = None) -> SourceTarget:
    """Digits are a device index, ``sample:NAME`` a bundled clip, ``file://`` a path, any
    other URL a stream, anything else a file path.

    Raises ValueError for ``sample:`` without a name or without a resolver; whatever
    `samples` raises (e.g. a fetch failure) propagates.
    """
    if source.isascii() and source.isdecimal():
        return SourceTarget("device", int(source), f"camera {int(source)}")
    if source.startswith(SAMPLE_PREFIX):
        name = source.removeprefix(SAMPLE_PREFIX)
        if not name:
            raise ValueError(f"{source!r}: sample name missing (use sample:NAME)")
        if samples is None:
            raise ValueError(f"{source!r}: no sample resolver configured")
        path = str(samples(name))
        return SourceTarget("file", path, path)
    if source.lower().startswith("file://"):
        path = unquote(urlsplit(source).path)
        return SourceTarget("file", path, path)
    if _URL.match(source):
        return SourceTarget("stream", source, redact_source(source))
    return SourceTarget("file", source, source)
