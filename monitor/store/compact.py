"""Giving a SQLite store's freed pages back to the disk.

SQLite reuses the pages that deleted readings leave free, but never shrinks the file: after a
retention change from 30 days to 7, the file keeps its 30 days' size. VACUUM rewrites it
without them. It needs the database to itself for as long as the rewrite takes (minutes for
gigabytes) and as much free disk again as the file's size, so it is an offline step: the
monitor, whose readings writer would wait on it, must be stopped first.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


class StoreInUse(RuntimeError):
    """Someone else holds the database."""


@dataclass(frozen=True, slots=True)
class SpaceReport:
    file_bytes: int  # the database file with its write-ahead log
    free_bytes: int  # pages inside it that VACUUM would give back


def _file_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _free_bytes(conn: sqlite3.Connection) -> int:
    free_pages = conn.execute("PRAGMA freelist_count").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(free_pages) * int(page_size)


def space(path: Path) -> SpaceReport:
    """How big the store is and how much of it is free pages."""
    if not path.is_file():
        raise FileNotFoundError(f"no SQLite store at {path}")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return SpaceReport(_file_bytes(path), _free_bytes(conn))
    finally:
        conn.close()


def compact(path: Path, wait_s: float = 5.0) -> SpaceReport:
    """VACUUMs the store; the space it takes after. Raises StoreInUse when another process
    (a running monitor) holds it for longer than `wait_s`."""
    if not path.is_file():
        raise FileNotFoundError(f"no SQLite store at {path}")
    conn = sqlite3.connect(path, timeout=wait_s, isolation_level=None)
    try:
        # Taking the write lock first makes "in use" an answer in `wait_s`, not a failure
        # halfway through the rewrite.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("COMMIT")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return SpaceReport(_file_bytes(path), _free_bytes(conn))
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise StoreInUse(
                f"{path} is in use (is the monitor running?); stop it first: {error}"
            ) from None
        raise
    finally:
        conn.close()
