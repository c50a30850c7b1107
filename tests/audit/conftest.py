"""Audit log tests run on SQLite and, when a server answers, on PostgreSQL."""

from tests.store.conftest import pg_admin, pg_url, store, store_url

__all__ = ["pg_admin", "pg_url", "store", "store_url"]
