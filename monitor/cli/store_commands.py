"""`store`: look after the store from the command line (its size, and compacting SQLite)."""

from __future__ import annotations

import argparse
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from monitor.cli.errors import CommandError, guarded
from monitor.config.settings import Settings
from monitor.store.compact import SpaceReport, StoreInUse, compact, space
from monitor.store.factory import default_database_url


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("store", help="look after the store (size, compacting)")
    actions = parser.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    size = actions.add_parser("size", help="how big the store is and how much of it is free")
    size.set_defaults(handler=guarded(show_size))
    shrink = actions.add_parser(
        "compact",
        help="give a SQLite store's free pages back to the disk (stop the monitor first)",
    )
    shrink.add_argument(
        "--wait", type=float, default=5.0, help="seconds to wait for the database (default 5)"
    )
    shrink.set_defaults(handler=guarded(run_compact))
    for sub in (size, shrink):
        sub.add_argument("--data-dir", type=Path, help="store location (default ./data)")
        sub.add_argument("--database-url", help="SQLAlchemy URL overriding the SQLite default")


def _sqlite_path(args: argparse.Namespace) -> Path | None:
    """The SQLite file the monitor would use; None for another database."""
    overrides = {
        key: value
        for key, value in {"data_dir": args.data_dir, "database_url": args.database_url}.items()
        if value is not None
    }
    settings = Settings(**overrides)
    raw = settings.database_url
    url = default_database_url(settings.data_dir) if not raw or not raw.strip() else make_url(raw)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database:
        raise CommandError(f"{url}: no database file")
    return Path(url.database).expanduser()


def _megabytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _report(path: Path, report: SpaceReport) -> str:
    return f"{path}: {_megabytes(report.file_bytes)}, of which {_megabytes(report.free_bytes)} free"


def show_size(args: argparse.Namespace) -> int:
    path = _sqlite_path(args)
    if path is None:
        raise CommandError("store size reads SQLite stores; ask PostgreSQL itself for its sizes")
    try:
        print(_report(path, space(path)))
    except FileNotFoundError as error:
        raise CommandError(str(error)) from None
    return 0


def run_compact(args: argparse.Namespace) -> int:
    path = _sqlite_path(args)
    if path is None:
        _analyse_postgres(args.database_url)
        return 0
    try:
        before = space(path)
        after = compact(path, args.wait)
    except (FileNotFoundError, StoreInUse) as error:
        raise CommandError(str(error)) from None
    print(f"before: {_report(path, before)}")
    print(f"after:  {_report(path, after)}")
    print(f"gave back {_megabytes(max(0, before.file_bytes - after.file_bytes))}")
    return 0


def _analyse_postgres(database_url: str) -> None:
    # PostgreSQL's autovacuum reuses freed space by itself; VACUUM FULL would shrink the
    # files but locks every table while it runs: a database administrator's call.
    engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()
    print(
        "PostgreSQL: ran VACUUM (ANALYZE), which marks freed space for reuse without "
        "locking; VACUUM FULL shrinks the files but locks each table while it runs"
    )
