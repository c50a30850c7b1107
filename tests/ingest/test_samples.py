from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from types import MappingProxyType

import pytest

from monitor.ingest.samples import (
    SAMPLES,
    DebianMember,
    Sample,
    SampleError,
    SampleRegistry,
    ensure_sample,
    file_sha256,
    resolver,
)
from tests.ingest.debs import write_deb

CONTENT = b"frames of a tiny clip " * 50
MEMBER = "./usr/share/doc/clips/clip.avi"


def _sample(*, sha256: str | None = None, size: int | None = None, **sources: object) -> Sample:
    return Sample(
        name="clip",
        filename="clip.avi",
        sha256=sha256 or hashlib.sha256(CONTENT).hexdigest(),
        size=len(CONTENT) if size is None else size,
        description="test clip",
        **sources,  # type: ignore[arg-type]
    )


def _registry(sample: Sample) -> SampleRegistry:
    return MappingProxyType({sample.name: sample})


@pytest.fixture
def original(tmp_path: Path) -> Path:
    path = tmp_path / "installed" / "clip.avi"
    path.parent.mkdir()
    path.write_bytes(CONTENT)
    return path


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _no_apt(package: str, dest: Path) -> Path:
    raise AssertionError("apt must not be used in this test")


def test_copies_from_an_installed_file_into_the_cache(original: Path, cache: Path) -> None:
    registry = _registry(_sample(local_paths=(original,)))

    path = ensure_sample("clip", cache, registry=registry, fetch_deb=_no_apt)

    assert path == cache / "clip.avi"
    assert path.read_bytes() == CONTENT
    assert sorted(p.name for p in cache.iterdir()) == ["clip.avi"]


def test_a_verified_cached_copy_is_used_as_is(original: Path, cache: Path) -> None:
    registry = _registry(_sample(local_paths=(original,)))
    ensure_sample("clip", cache, registry=registry)
    original.unlink()

    assert ensure_sample("clip", cache, registry=registry).read_bytes() == CONTENT


def test_a_corrupt_cached_copy_is_replaced(original: Path, cache: Path) -> None:
    cache.mkdir()
    (cache / "clip.avi").write_bytes(b"x" * len(CONTENT))

    path = ensure_sample("clip", cache, registry=_registry(_sample(local_paths=(original,))))

    assert path.read_bytes() == CONTENT


@pytest.mark.parametrize(
    ("sample_options", "message"),
    [
        pytest.param({"sha256": "0" * 64}, "checksum mismatch", id="wrong-sha"),
        pytest.param({"size": len(CONTENT) + 1}, "checksum mismatch", id="short"),
        pytest.param({"size": 10}, "more than the expected 10 bytes", id="too-long"),
    ],
)
def test_a_file_that_does_not_verify_is_rejected_and_not_kept(
    original: Path, cache: Path, sample_options: dict[str, object], message: str
) -> None:
    registry = _registry(_sample(local_paths=(original,), **sample_options))  # type: ignore[arg-type]

    with pytest.raises(SampleError, match=message):
        ensure_sample("clip", cache, registry=registry, fetch_deb=_no_apt)

    assert list(cache.iterdir()) == []


def test_extracts_from_the_debian_package(tmp_path: Path, cache: Path) -> None:
    fetched: list[str] = []

    def fetch_deb(package: str, dest: Path) -> Path:
        fetched.append(package)
        return write_deb(dest / f"{package}_1.0_all.deb", {MEMBER: CONTENT})

    sample = _sample(
        local_paths=(tmp_path / "not-installed.avi",), debian=DebianMember("clips-doc", MEMBER)
    )

    path = ensure_sample("clip", cache, registry=_registry(sample), fetch_deb=fetch_deb)

    assert path.read_bytes() == CONTENT
    assert fetched == ["clips-doc"]
    assert sorted(p.name for p in cache.iterdir()) == ["clip.avi"]  # scratch .deb removed


def test_downloads_from_a_url(original: Path, cache: Path) -> None:
    sample = _sample(urls=(original.as_uri(),))  # file:// goes through urllib, offline

    assert ensure_sample("clip", cache, registry=_registry(sample)).read_bytes() == CONTENT


def test_failure_lists_every_source_tried(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no apt-get here
    sample = _sample(
        local_paths=(tmp_path / "absent.avi",),
        debian=DebianMember("clips-doc", MEMBER),
        urls=((tmp_path / "absent-too.avi").as_uri(),),
    )

    with pytest.raises(SampleError) as raised:
        ensure_sample("clip", cache, registry=_registry(sample))

    message = str(raised.value)
    assert f"{tmp_path / 'absent.avi'}: not present" in message
    assert "apt-get download clips-doc: apt-get not found" in message
    assert "absent-too.avi" in message


def test_unknown_sample_names_the_known_ones(cache: Path) -> None:
    with pytest.raises(SampleError, match=r"unknown sample 'nope' \(known: clip\)"):
        ensure_sample("nope", cache, registry=_registry(_sample()))


def test_resolver_maps_names_to_verified_paths(original: Path, cache: Path) -> None:
    resolve = resolver(cache, _registry(_sample(local_paths=(original,))))

    path = resolve("clip")

    assert file_sha256(path) == hashlib.sha256(CONTENT).hexdigest()


def test_registry_describes_vtest() -> None:
    vtest = SAMPLES["vtest"]

    assert vtest.filename == "vtest.avi"
    assert len(vtest.sha256) == 64
    assert vtest.size == 8_131_690
    assert vtest.debian is not None
    assert vtest.debian.member.endswith("/examples/data/vtest.avi")


def test_resolver_remembers_a_failure_for_a_while(cache: Path) -> None:
    now = [0.0]
    fetches: list[str] = []

    def fetch_deb(package: str, dest: Path) -> Path:
        fetches.append(package)
        raise SampleError("mirror unreachable")

    registry = _registry(_sample(debian=DebianMember("clips-doc", MEMBER)))
    resolve = resolver(
        cache, registry, retry_after_s=300, clock=lambda: now[0], fetch_deb=fetch_deb
    )

    for at in (0.0, 299.0, 301.0):
        now[0] = at
        with pytest.raises(SampleError, match="mirror unreachable"):
            resolve("clip")

    assert len(fetches) == 2  # at 0 and after 300 s, not at 299
