"""The index runs against the store's database: SQLite, and PostgreSQL when one answers."""

from __future__ import annotations

from tests.store.conftest import pg_admin, pg_url, store, store_url

__all__ = ["pg_admin", "pg_url", "store", "store_url"]
