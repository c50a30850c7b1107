from __future__ import annotations

from pathlib import Path

import pytest

from monitor.store.factory import DEFAULT_DATABASE_FILE, open_store
from tests.store.builders import reading


@pytest.mark.parametrize(
    "database_url",
    [pytest.param(None, id="none"), pytest.param("  ", id="blank")],
)
def test_no_url_means_sqlite_in_the_data_dir(tmp_path: Path, database_url: str | None) -> None:
    data_dir = tmp_path / "data"
    store = open_store(database_url, data_dir)
    try:
        store.add_readings([reading(0)])
        assert store.engine.dialect.name == "sqlite"
    finally:
        store.close()

    assert (data_dir / DEFAULT_DATABASE_FILE).is_file()


def test_a_given_url_is_used(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    store = open_store(f"sqlite:///{elsewhere}", tmp_path / "data")
    store.close()

    assert elsewhere.is_file()
    assert not (tmp_path / "data").exists()
