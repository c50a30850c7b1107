"""The store on SQLAlchemy Core: SQLite embedded, PostgreSQL when one machine is not enough."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from monitor.alerts.model import Alert, AlertEvent, AlertState, AlertUpdate
from monitor.config.thresholds import ThresholdsConfig
from monitor.quality.health import PictureMark
from monitor.quality.outages import RecordedStatus, StatusChange
from monitor.store import codec, schema
from monitor.store.base import StoredReading, ThresholdChange
from monitor.store.engine import create_store_engine
from monitor.store.migrations import migrate
from monitor.store.upsert import insert_if_absent, upsert


class SchemaVersionError(RuntimeError):
    """The database was written by a build with another schema; a migration is needed."""


class SqlStore:
    """Implements `monitor.store.base.Store`; safe to share between threads.

    Every call is one short transaction on a pooled connection, so the readings writer,
    pipeline workers and API threads never hold a connection between calls.
    """

    def __init__(self, url: str | URL) -> None:
        self._engine: Engine | None = create_store_engine(url)
        try:
            self._prepare_schema()
        except BaseException:
            self.close()
            raise

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("the store is closed")
        return self._engine

    def _prepare_schema(self) -> None:
        schema.metadata.create_all(self.engine, checkfirst=True)
        with self.engine.begin() as conn:
            insert_if_absent(
                conn, schema.schema_version, {"id": 1, "version": schema.SCHEMA_VERSION}, ["id"]
            )
            found = conn.execute(sa.select(schema.schema_version.c.version)).scalar_one()
            if found < schema.SCHEMA_VERSION:
                found = migrate(conn, found)
        if found != schema.SCHEMA_VERSION:
            raise SchemaVersionError(
                f"database schema version {found}, this build uses {schema.SCHEMA_VERSION}"
            )

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # Readings

    def add_readings(self, readings: list[StoredReading]) -> None:
        if not readings:
            return
        with self.engine.begin() as conn:
            conn.execute(schema.readings.insert(), [codec.reading_row(r) for r in readings])

    def readings(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StoredReading]:
        """Oldest first within [since, until]; past `limit` rows, the latest `limit` of them."""
        _check_limit(limit)
        t = schema.readings
        query = _within(sa.select(t).where(t.c.site_id == site_id), t.c.captured_at, since, until)
        # Newest first so LIMIT keeps the latest window; reversed below.
        query = query.order_by(t.c.captured_at.desc(), t.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [codec.reading_from_row(row) for row in reversed(rows)]

    def delete_readings(
        self, site_id: str, start: float | None, end: float, *, batch: int = 5000
    ) -> int:
        """Deletes the site's readings captured in [start, end) (`start` None: from the first),
        `batch` rows per transaction, so the readings writer never waits long on the lock.
        Returns how many went."""
        if batch < 1:
            raise ValueError(f"batch must be positive, got {batch}")
        t = schema.readings
        chosen = sa.select(t.c.id).where(t.c.site_id == site_id, t.c.captured_at < end)
        if start is not None:
            chosen = chosen.where(t.c.captured_at >= start)
        chosen = chosen.order_by(t.c.captured_at).limit(batch)
        deleted = 0
        while True:
            with self.engine.begin() as conn:
                # The ids first, then the delete: MySQL-style LIMIT in DELETE is not portable.
                ids = conn.execute(chosen).scalars().all()
                if not ids:
                    return deleted
                conn.execute(t.delete().where(t.c.id.in_(ids)))
            deleted += len(ids)

    def picture_marks(
        self, site_id: str, since: float, until: float, *, chunk_s: float = 3600.0
    ) -> Iterator[PictureMark]:
        # A week of one site is over a million rows. They are read an hour of capture time
        # at a time, each its own short query, so no connection is held while the caller
        # folds them, and each query sorts one hour's rows, found through the index on
        # (site_id, captured_at); paging by row count would sort the rest of the span
        # every page. Only the two columns needed are read.
        if not chunk_s > 0:
            raise ValueError(f"chunk_s must be positive, got {chunk_s}")
        t = schema.readings
        query = sa.select(t.c.captured_at, t.c.quality).where(t.c.site_id == site_id)
        start = since
        while start <= until:
            end = start + chunk_s
            last = end > until
            chunk = query.where(
                t.c.captured_at >= start,
                t.c.captured_at <= until if last else t.c.captured_at < end,
            ).order_by(t.c.captured_at, t.c.id)
            with self.engine.connect() as conn:
                rows = conn.execute(chunk).all()
            for captured_at, quality in rows:
                yield PictureMark(captured_at, codec.issues_from_quality_json(quality))
            if last:
                return
            start = end

    # Site status

    def record_status(
        self, site_ids: list[str], at: float, status: RecordedStatus, reason: str
    ) -> None:
        if not site_ids:
            return
        rows = [
            {"site_id": site_id, "at": at, "status": status, "reason": reason}
            for site_id in site_ids
        ]
        with self.engine.begin() as conn:
            conn.execute(schema.site_status.insert(), rows)

    def status_changes(self, site_id: str, since: float, until: float) -> list[StatusChange]:
        t = schema.site_status
        columns = (t.c.at, t.c.status, t.c.reason)
        before = (
            sa.select(*columns)
            .where(t.c.site_id == site_id, t.c.at <= since)
            .order_by(t.c.at.desc(), t.c.id.desc())
            .limit(1)
        )
        within = (
            sa.select(*columns)
            .where(t.c.site_id == site_id, t.c.at > since, t.c.at <= until)
            .order_by(t.c.at, t.c.id)
        )
        with self.engine.connect() as conn:
            first = conn.execute(before).all()
            rest = conn.execute(within).all()
        return [StatusChange(at, status, reason) for at, status, reason in [*first, *rest]]

    def status_site_ids(self) -> list[str]:
        """Every site the monitor ever ran, whether or not it is still configured."""
        t = schema.site_status
        with self.engine.connect() as conn:
            return list(conn.execute(sa.select(t.c.site_id).distinct()).scalars())

    def status_history(
        self, site_id: str, since: float | None, until: float | None, limit: int
    ) -> list[StatusChange]:
        _check_limit(limit)
        t = schema.site_status
        query = sa.select(t.c.at, t.c.status, t.c.reason).where(t.c.site_id == site_id)
        query = _within(query, t.c.at, since, until)
        query = query.order_by(t.c.at.desc(), t.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [StatusChange(at, status, reason) for at, status, reason in rows]

    # Alerts

    def save_alert_update(self, update: AlertUpdate) -> None:
        event = update.event
        if event.alert_id != update.alert.id:
            raise ValueError(
                f"event {event.id} belongs to alert {event.alert_id}, not {update.alert.id}"
            )
        events = schema.alert_events
        with self.engine.begin() as conn:
            # The upsert comes first: on PostgreSQL it locks the alert row, which serialises
            # concurrent updates of one alert and so keeps the ordinals below unique.
            upsert(conn, schema.alerts, codec.alert_row(update.alert), ["id"])
            earlier = sa.select(sa.func.count()).where(events.c.alert_id == event.alert_id)
            ordinal = conn.execute(earlier).scalar_one()
            # A retried save of an already stored event must not add it twice.
            insert_if_absent(conn, events, codec.event_row(event, ordinal), ["id"])

    def alerts(self, state: str | None, site_id: str | None, limit: int) -> list[Alert]:
        _check_limit(limit)
        t = schema.alerts
        query = sa.select(t)
        if state is not None:
            query = query.where(t.c.state == str(state))
        if site_id is not None:
            query = query.where(t.c.site_id == site_id)
        query = query.order_by(t.c.raised_at.desc(), t.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [codec.alert_from_row(row) for row in rows]

    def alerts_raised(
        self, since: float, until: float, site_id: str | None, limit: int
    ) -> list[Alert]:
        _check_limit(limit)
        t = schema.alerts
        query = _within(sa.select(t), t.c.raised_at, since, until)
        if site_id is not None:
            query = query.where(t.c.site_id == site_id)
        query = query.order_by(t.c.raised_at, t.c.id).limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [codec.alert_from_row(row) for row in rows]

    def alert(self, alert_id: str) -> Alert | None:
        t = schema.alerts
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == alert_id)).mappings().one_or_none()
        return None if row is None else codec.alert_from_row(row)

    def alert_events(self, alert_id: str) -> list[AlertEvent]:
        t = schema.alert_events
        query = sa.select(t).where(t.c.alert_id == alert_id).order_by(t.c.at, t.c.ordinal)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [codec.event_from_row(row) for row in rows]

    def open_alerts(self) -> list[Alert]:
        """Oldest first, so engines restore them in the order they were raised."""
        t = schema.alerts
        query = (
            sa.select(t)
            .where(t.c.state != AlertState.RESOLVED.value)
            .order_by(t.c.raised_at, t.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [codec.alert_from_row(row) for row in rows]

    # Thresholds

    def record_threshold_change(self, change: ThresholdChange) -> None:
        row = codec.threshold_change_row(change)
        with self.engine.begin() as conn:
            conn.execute(schema.threshold_changes.insert().values(row))
            upsert(
                conn,
                schema.current_thresholds,
                {"site_id": change.site_id, "json": row["new_json"]},
                ["site_id"],
            )

    def current_thresholds(self) -> dict[str, ThresholdsConfig]:
        t = schema.current_thresholds
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.site_id, t.c.json)).all()
        return {site_id: codec.thresholds_from_json(text) for site_id, text in rows}

    def threshold_changes(self, site_id: str, limit: int) -> list[ThresholdChange]:
        _check_limit(limit)
        t = schema.threshold_changes
        query = (
            sa.select(t)
            .where(t.c.site_id == site_id)
            .order_by(t.c.at.desc(), t.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [codec.threshold_change_from_row(row) for row in rows]


_Query = TypeVar("_Query", bound=sa.Select[Any])


def _within(
    query: _Query, column: sa.ColumnElement[float], since: float | None, until: float | None
) -> _Query:
    """`query` limited to rows whose `column` lies in [since, until]; None leaves a side open."""
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column <= until)
    return query


def _check_limit(limit: int) -> None:
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
