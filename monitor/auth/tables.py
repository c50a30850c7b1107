"""The account tables, on the store's shared metadata (so `create_all` adds them)."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.store.schema import metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("name", sa.String, primary_key=True),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("password_hash", sa.String, nullable=False),
    # Users are disabled, never deleted: the audit log keeps naming them.
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
)

# Browser sessions and script API tokens. Only a hash of each token is stored, so a copy
# of the database does not let anyone log in.
auth_tokens = sa.Table(
    "auth_tokens",
    metadata,
    sa.Column("token_hash", sa.String, primary_key=True),
    sa.Column("user_name", sa.String, sa.ForeignKey("users.name"), nullable=False),
    sa.Column("kind", sa.String, nullable=False),  # session | api
    sa.Column("csrf", sa.String, nullable=False),  # empty for api tokens
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("expires_at", sa.Double, nullable=True),  # null: until revoked
    sa.Index("ix_auth_tokens_user", "user_name"),
)

TABLES = (users, auth_tokens)
