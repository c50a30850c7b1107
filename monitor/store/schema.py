"""Tables of the store, shared by SQLite and PostgreSQL.

Times are epoch seconds as DOUBLE: both backends round-trip a Python float exactly, and
the API and replay code compare them without conversions. Strings carry no length so
both backends behave the same (PostgreSQL would reject what SQLite silently keeps).
"""

from __future__ import annotations

import sqlalchemy as sa

# 2: the alert response lifecycle; 3: the picture quality of each reading
# (monitor/store/migrations.py)
SCHEMA_VERSION = 4

metadata = sa.MetaData()

# SQLite only autoincrements an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets a BIGINT.
# Every table on this metadata with a surrogate key uses it.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("id = 1", name="ck_schema_version_single_row"),
)

readings = sa.Table(
    "readings",
    metadata,
    # Surrogate key: `seq` restarts with the pipeline, so (site_id, seq) is not unique.
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("captured_at", sa.Double, nullable=False),
    sa.Column("analysed_at", sa.Double, nullable=False),
    sa.Column("count", sa.Double, nullable=False),
    sa.Column("mean_density", sa.Double, nullable=False),
    sa.Column("peak_density", sa.Double, nullable=False),
    sa.Column("level", sa.String, nullable=False),
    # Compact JSON, nulls outside the region: exact floats, readable in any SQL shell.
    sa.Column("grid", sa.Text, nullable=False),
    sa.Column("frame_width", sa.Integer, nullable=False),
    sa.Column("frame_height", sa.Integer, nullable=False),
    # Version 3: compact JSON of the picture's quality issues and measures; null when it was
    # not assessed (earlier builds, or assessment off for the site).
    sa.Column("quality", sa.Text, nullable=True),
    # Version 4: the crowd's motion; null when it was not measured (earlier builds, motion
    # off, or the first frame after a gap).
    sa.Column("motion_speed", sa.Double, nullable=True),
    sa.Column("motion_pressure", sa.Double, nullable=True),
    sa.Column("motion_turbulent", sa.Boolean, nullable=True),
    sa.Index("ix_readings_site_captured", "site_id", "captured_at"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("metric", sa.String, nullable=False),
    sa.Column("level", sa.String, nullable=False),
    sa.Column("peak_level", sa.String, nullable=False),
    sa.Column("peak_value", sa.Double, nullable=False),
    sa.Column("state", sa.String, nullable=False),
    sa.Column("raised_at", sa.Double, nullable=False),
    sa.Column("updated_at", sa.Double, nullable=False),
    sa.Column("acknowledged_at", sa.Double, nullable=True),
    sa.Column("acknowledged_by", sa.String, nullable=True),
    sa.Column("acknowledge_note", sa.Text, nullable=False),
    sa.Column("resolved_at", sa.Double, nullable=True),
    # Version 2: the response to the alert. All nullable, so version 1 rows stay valid.
    sa.Column("cleared_at", sa.Double, nullable=True),
    sa.Column("overdue_at", sa.Double, nullable=True),
    sa.Column("dispatched_at", sa.Double, nullable=True),
    sa.Column("dispatched_by", sa.String, nullable=True),
    sa.Column("platform_id", sa.String, nullable=True),
    sa.Column("platform_name", sa.String, nullable=True),
    sa.Column("tier_minutes", sa.Integer, nullable=True),
    sa.Column("arrived_at", sa.Double, nullable=True),
    sa.Column("arrived_by", sa.String, nullable=True),
    sa.Column("resolved_by", sa.String, nullable=True),
    sa.Column("outcome", sa.Text, nullable=True),
    sa.Index("ix_alerts_state_raised", "state", "raised_at"),
    sa.Index("ix_alerts_site_raised", "site_id", "raised_at"),
)

alert_events = sa.Table(
    "alert_events",
    metadata,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("alert_id", sa.String, sa.ForeignKey("alerts.id"), nullable=False),
    # Position within the alert: events of one frame can share `at`, order must not flip.
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("kind", sa.String, nullable=False),
    sa.Column("level", sa.String, nullable=False),
    sa.Column("value", sa.Double, nullable=False),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("by", sa.String, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    # Also the index on alert_id.
    sa.UniqueConstraint("alert_id", "ordinal", name="uq_alert_events_alert_ordinal"),
)

threshold_changes = sa.Table(
    "threshold_changes",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("changed_by", sa.String, nullable=False),
    sa.Column("old_json", sa.Text, nullable=True),
    sa.Column("new_json", sa.Text, nullable=False),
    sa.Index("ix_threshold_changes_site_at", "site_id", "at"),
)

# Every change of a site's status, and `stopped` for every site when the monitor shuts
# down cleanly: why a camera had no picture, for the health report and after-action
# review. A table added without a schema version: create_all adds it to older databases.
site_status = sa.Table(
    "site_status",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("status", sa.String, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Index("ix_site_status_site_at", "site_id", "at"),
)

current_thresholds = sa.Table(
    "current_thresholds",
    metadata,
    sa.Column("site_id", sa.String, primary_key=True),
    sa.Column("json", sa.Text, nullable=False),
)
