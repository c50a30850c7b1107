from __future__ import annotations

import platform

import pytest

from monitor.cli.malloc_tuning import tune_malloc


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt tuning is glibc-only")
def test_glibc_accepts_the_settings() -> None:
    assert tune_malloc() is True
