"""Tables of recorded segments and pins, on the store's shared metadata.

A segment row is written only once its file is complete and renamed into place, so every
indexed segment was whole when it was written (it may still go missing or rot later,
which replay reports).
"""

from __future__ import annotations

import sqlalchemy as sa

from monitor.store.schema import RowId, metadata

segments = sa.Table(
    "recording_segments",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("start", sa.Double, nullable=False, comment="Capture time of the first frame."),
    sa.Column("end", sa.Double, nullable=False, comment="Capture time of the last frame."),
    # Relative to the recordings folder, so the data dir can move.
    sa.Column("path", sa.String, nullable=False, unique=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("frames", sa.Integer, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Index("ix_recording_segments_site_start", "site_id", "start"),
)

pins = sa.Table(
    "recording_pins",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    # Null: every site.
    sa.Column("site_id", sa.String, nullable=True),
    sa.Column("start", sa.Double, nullable=False),
    sa.Column("end", sa.Double, nullable=False),
    sa.Column("created_by", sa.String, nullable=False),
    sa.Column("created_at", sa.Double, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)

TABLES = (segments, pins)
