"""`crowd-monitor store ...` against real stores: a SQLite file that readings were deleted
from, one a running monitor holds, and PostgreSQL."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from monitor.cli.main import main
from monitor.store.factory import DEFAULT_DATABASE_FILE
from monitor.store.sql import SqlStore
from tests.store.conftest import pg_admin, pg_url  # noqa: F401  (fixtures)
from tests.support.fake_monitor import stored_reading


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def megabytes(text: str, label: str) -> tuple[float, float]:
    """(file, free) MB from a "<label> PATH: X MB, of which Y MB free" line."""
    found = re.search(rf"{label}.*: ([\d.]+) MB, of which ([\d.]+) MB free", text)
    assert found, text
    return float(found[1]), float(found[2])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A store that held 4,000 readings with 16x16 grids, three quarters since deleted."""
    folder = tmp_path / "data"
    store = SqlStore(URL.create("sqlite", database=str(folder / DEFAULT_DATABASE_FILE)))
    try:
        store.add_readings([stored_reading("wuyi", i, 1000.0 + i, 1.0, 16) for i in range(4000)])
        store.delete_readings("wuyi", None, 4000.0)
    finally:
        store.close()
    return folder


def test_compacting_gives_the_free_pages_back(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["store", "size", "--data-dir", str(data_dir)], capsys)
    assert (code, err) == (0, "")
    size, free = megabytes(out, "")
    assert free > 0.5 * size

    code, out, err = run(["store", "compact", "--data-dir", str(data_dir)], capsys)
    assert (code, err) == (0, "")
    before, _ = megabytes(out, "before:")
    after, free_after = megabytes(out, "after:")
    assert before == pytest.approx(size, rel=0.01)
    assert after < 0.5 * before
    assert free_after == 0.0
    gave_back = re.search(r"gave back ([\d.]+) MB", out)
    assert gave_back
    assert float(gave_back[1]) == pytest.approx(before - after, abs=0.11)  # each rounded
    # The readings left are all there.
    store = SqlStore(URL.create("sqlite", database=str(data_dir / DEFAULT_DATABASE_FILE)))
    try:
        assert len(store.readings("wuyi", None, None, 10_000)) == 1000
    finally:
        store.close()


def test_a_store_in_use_is_left_alone_with_the_reason(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = sqlite3.connect(data_dir / DEFAULT_DATABASE_FILE, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # as the readings writer does mid-write
        code, out, err = run(
            ["store", "compact", "--data-dir", str(data_dir), "--wait", "0.2"], capsys
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (code, out) == (1, "")
    assert "is in use (is the monitor running?); stop it first" in err


@pytest.mark.parametrize("action", ["size", "compact"])
def test_no_store_is_an_error_not_a_new_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    code, _, err = run(["store", action, "--data-dir", str(tmp_path / "none")], capsys)
    assert code == 1
    assert "no SQLite store at" in err
    assert not (tmp_path / "none").exists()


@pytest.mark.postgres
def test_postgres_is_vacuumed_without_locking(
    pg_url: URL,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = SqlStore(pg_url)
    store.add_readings([stored_reading("wuyi", i, 1000.0 + i, 1.0) for i in range(50)])
    store.close()
    url = pg_url.render_as_string(hide_password=False)
    code, out, err = run(["store", "compact", "--database-url", url], capsys)
    assert (code, err) == (0, "")
    assert "PostgreSQL: ran VACUUM (ANALYZE)" in out
    # It ran: the server says the readings table was vacuumed and analysed just now.
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            vacuumed, analysed = conn.execute(
                sa.text(
                    "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables "
                    "WHERE relname = 'readings' AND schemaname = current_schema()"
                )
            ).one()
    finally:
        engine.dispose()
    assert vacuumed is not None
    assert analysed is not None
    code, _, err = run(["store", "size", "--database-url", url], capsys)
    assert code == 1
    assert "ask PostgreSQL itself" in err
