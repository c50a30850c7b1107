"""Read one file out of a Debian package without dpkg (works on any OS, no root)."""

from __future__ import annotations

import lzma
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, BinaryIO, Protocol, cast

_AR_MAGIC = b"!<arch>\n"
_AR_HEADER_SIZE = 60
_CHUNK = 1 << 20


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class DebError(Exception):
    """Not a Debian package, or the member is not in it."""


def copy_member(deb: Path, member: str, out: Sink) -> None:
    """Streams `member` (a path inside the package, with or without the leading ``./``)
    from the package's data archive into `out`; raises DebError."""
    wanted = _normalise(member)
    with open(deb, "rb") as archive, _data_tar(archive, deb) as data:
        try:
            # Streaming mode ("r|*") reads the compressed archive once, front to back,
            # never holding the ~100 MB of documentation in memory or on disk.
            with tarfile.open(fileobj=data, mode="r|*") as tar:
                for info in tar:
                    if _normalise(info.name) != wanted:
                        continue
                    if not info.isfile():
                        raise DebError(f"{member} in {deb.name} is not a regular file")
                    source = tar.extractfile(info)
                    if source is None:
                        raise DebError(f"cannot read {member} from {deb.name}")
                    while chunk := source.read(_CHUNK):
                        out.write(chunk)
                    return
        except (tarfile.TarError, EOFError, lzma.LZMAError, zlib.error) as error:
            raise DebError(f"{deb.name}: corrupt data archive: {error}") from error
    raise DebError(f"{member} not found in {deb.name}")


@contextmanager
def _data_tar(archive: BinaryIO, deb: Path) -> Iterator[IO[bytes]]:
    """Positions `archive` at the start of the ar member ``data.tar.*``."""
    if archive.read(len(_AR_MAGIC)) != _AR_MAGIC:
        raise DebError(f"{deb.name} is not a Debian package (no ar header)")
    while header := archive.read(_AR_HEADER_SIZE):
        if len(header) < _AR_HEADER_SIZE or header[58:60] != b"`\n":
            raise DebError(f"{deb.name}: corrupt ar header")
        name = header[:16].decode("ascii", "replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise DebError(f"{deb.name}: corrupt ar header") from None
        if name.startswith("data.tar"):
            # Streaming tarfile only ever calls read().
            yield cast(IO[bytes], _Window(archive, size))
            return
        archive.seek(size + size % 2, 1)  # ar pads members to even offsets
    raise DebError(f"{deb.name} has no data.tar member")


class _Window:
    """The next `size` bytes of a file, so tarfile cannot read past its ar member."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file = file
        self._left = size

    def read(self, n: int = -1) -> bytes:
        n = self._left if n < 0 else min(n, self._left)
        data = self._file.read(n)
        self._left -= len(data)
        return data


def _normalise(name: str) -> str:
    return name.removeprefix("./").lstrip("/")
