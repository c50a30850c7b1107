"""Sample clips for demos and tests, fetched on first use and verified by checksum.

The clips are not in the repository (size, licence), so each has several known sources,
tried in order: the cache, a copy installed by a distribution package, the package
downloaded through apt, then plain URLs. Whatever the source, a file is only kept when
its SHA-256 matches the registry, so every site sees exactly the same frames.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import MappingProxyType

from monitor.ingest.debfile import DebError, Sink, copy_member
from monitor.ingest.locator import SampleResolver

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


class SampleError(Exception):
    """A sample is unknown or could not be obtained from any source."""


@dataclass(frozen=True, slots=True)
class DebianMember:
    """A file shipped inside a Debian package."""

    package: str
    member: str
    """Path inside the package's data archive, as `dpkg-deb -c` lists it."""


@dataclass(frozen=True, slots=True)
class Sample:
    name: str
    filename: str
    sha256: str
    size: int
    description: str
    local_paths: tuple[Path, ...] = ()
    """Where an installed package may already have put it."""
    debian: DebianMember | None = None
    urls: tuple[str, ...] = ()


SampleRegistry = Mapping[str, Sample]

SAMPLES: SampleRegistry = MappingProxyType(
    {
        "vtest": Sample(
            name="vtest",
            filename="vtest.avi",
            sha256="45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf",
            size=8_131_690,
            description=(
                "PETS 2009 S2.L1 view 1 as shipped with OpenCV: 768x576, 10 fps, 795 frames"
            ),
            local_paths=(Path("/usr/share/doc/opencv-doc/examples/data/vtest.avi"),),
            # Verified in bookworm's opencv-doc 4.6.0+dfsg-12 (a ~96 MB download).
            debian=DebianMember("opencv-doc", "./usr/share/doc/opencv-doc/examples/data/vtest.avi"),
            urls=("https://raw.githubusercontent.com/opencv/opencv/4.x/samples/data/vtest.avi",),
        ),
    }
)

DebFetcher = Callable[[str, Path], Path]
"""Downloads a Debian package by name into a directory and returns the .deb's path."""
Progress = Callable[[str], None]

# Sites sharing a sample start together; one fetch at a time keeps them from all
# downloading the same ~100 MB package. Across processes the atomic rename suffices.
_fetch_lock = threading.Lock()


class _UnavailableError(Exception):
    """This source cannot provide the sample; the next one is tried."""


def ensure_sample(
    name: str,
    cache_dir: Path,
    *,
    registry: SampleRegistry = SAMPLES,
    fetch_deb: DebFetcher | None = None,
    download_timeout_s: float = 60.0,
    progress: Progress | None = None,
) -> Path:
    """The path of a verified copy of sample `name` in `cache_dir`, fetched if needed.

    `fetch_deb` defaults to `apt_get_download`. Raises SampleError listing what each
    source said when none delivered a file with the registered checksum.
    """
    sample = registry.get(name)
    if sample is None:
        known = ", ".join(sorted(registry)) or "none"
        raise SampleError(f"unknown sample {name!r} (known: {known})")
    target = cache_dir / sample.filename
    say = progress or logger.info
    with _fetch_lock:
        if _matches(target, sample):
            return target
        if target.exists():
            say(f"{target}: cached copy does not match its checksum; fetching again")
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SampleError(f"cannot create cache directory {cache_dir}: {error}") from error
        failures: list[str] = []
        for label, write in _sources(
            sample, cache_dir, fetch_deb or apt_get_download, download_timeout_s
        ):
            try:
                say(f"sample {name}: trying {label}")
                _store(sample, target, write)
            except (_UnavailableError, SampleError, DebError, OSError) as error:
                failures.append(f"{label}: {error}")
                continue
            say(f"sample {name}: stored {target} (from {label})")
            return target
    raise SampleError(
        f"cannot obtain sample {name!r} ({sample.filename}):\n  " + "\n  ".join(failures)
    )


def resolver(
    cache_dir: Path,
    registry: SampleRegistry = SAMPLES,
    *,
    retry_after_s: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
    fetch_deb: DebFetcher | None = None,
) -> SampleResolver:
    """For FrameSource: maps the NAME of ``sample:NAME`` to a verified local clip.

    A failed fetch is remembered for `retry_after_s`: a source retries every 30 s at
    most, and re-downloading a ~100 MB package that often would hammer the mirrors.
    """
    failures: dict[str, tuple[float, str]] = {}
    lock = threading.Lock()

    def resolve(name: str) -> Path:
        with lock:
            failed = failures.get(name)
        if failed is not None and clock() - failed[0] < retry_after_s:
            raise SampleError(failed[1])
        try:
            path = ensure_sample(name, cache_dir, registry=registry, fetch_deb=fetch_deb)
        except SampleError as error:
            with lock:
                failures[name] = (clock(), str(error))
            raise
        with lock:
            failures.pop(name, None)
        return path

    return resolve


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def apt_get_download(package: str, dest_dir: Path) -> Path:
    """`apt-get download PACKAGE` into `dest_dir`: needs no root, but does need package
    lists, i.e. `apt-get update` run once on the machine."""
    apt_get = shutil.which("apt-get")
    if apt_get is None:
        raise _UnavailableError("apt-get not found (not a Debian-based system)")
    try:
        result = subprocess.run(
            [apt_get, "download", package],
            cwd=dest_dir,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _UnavailableError("timed out after 900 s") from None
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("E:")]
        detail = errors[-1] if errors else (result.stderr.strip() or f"exit {result.returncode}")
        if "Unable to locate" in detail or "no installation candidate" in detail:
            detail += " (package lists missing? run `apt-get update` once)"
        raise _UnavailableError(detail)
    debs = sorted(dest_dir.glob(f"{package}_*.deb"))
    if not debs:
        raise _UnavailableError(f"apt-get reported success but left no {package}_*.deb")
    return debs[-1]


Writer = Callable[[Sink], None]


def _sources(
    sample: Sample, cache_dir: Path, fetch_deb: DebFetcher, timeout_s: float
) -> Iterator[tuple[str, Writer]]:
    for path in sample.local_paths:
        yield str(path), partial(_copy_local, path)
    if sample.debian is not None:
        yield (
            f"apt-get download {sample.debian.package}",
            partial(_copy_from_package, sample.debian, cache_dir, fetch_deb),
        )
    for url in sample.urls:
        yield url, partial(_download, url, timeout_s)


def _copy_local(path: Path, out: Sink) -> None:
    if not path.is_file():
        raise _UnavailableError("not present")
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            out.write(chunk)


def _copy_from_package(
    debian: DebianMember, cache_dir: Path, fetch_deb: DebFetcher, out: Sink
) -> None:
    # Next to the cache rather than in /tmp: the package can be far bigger than a tmpfs.
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".deb-") as scratch:
        deb = fetch_deb(debian.package, Path(scratch))
        copy_member(deb, debian.member, out)


def _download(url: str, timeout_s: float, out: Sink) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "crowd-monitor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
    except OSError as error:  # URLError, HTTPError, timeouts and resets are all OSErrors
        raise _UnavailableError(str(error)) from error


class _Verifier:
    """Hashes what passes through and refuses more bytes than the sample has, so a
    wrong URL serving something huge fails fast instead of filling the disk."""

    def __init__(self, out: Sink, limit: int) -> None:
        self._out = out
        self._limit = limit
        self.size = 0
        self._digest = hashlib.sha256()

    def write(self, data: bytes, /) -> None:
        self.size += len(data)
        if self.size > self._limit:
            raise SampleError(f"more than the expected {self._limit} bytes")
        self._digest.update(data)
        self._out.write(data)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()


def _store(sample: Sample, target: Path, write: Writer) -> None:
    """Runs `write` into a temporary file beside `target` and renames it into place only
    if size and checksum match, so readers never see a partial or wrong file."""
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as file:
            verifier = _Verifier(file, sample.size)
            write(verifier)
            file.flush()
            os.fsync(file.fileno())
        if (verifier.size, verifier.sha256) != (sample.size, sample.sha256):
            raise SampleError(
                f"checksum mismatch: got {verifier.size} bytes, sha256 {verifier.sha256}; "
                f"expected {sample.size} bytes, sha256 {sample.sha256}"
            )
        os.chmod(temp, 0o644)  # mkstemp's 0600 would hide a shared cache from other users
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _matches(path: Path, sample: Sample) -> bool:
    try:
        if path.stat().st_size != sample.size:
            return False
        return file_sha256(path) == sample.sha256
    except OSError:
        return False
