"""The recordings index: segments and pins in the store's database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.recording import schema
from monitor.store.schema import metadata


@dataclass(frozen=True, slots=True)
class Segment:
    id: int
    site_id: str
    start: float
    end: float
    path: str
    """Relative to the recordings folder."""
    size: int
    frames: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class NewSegment:
    site_id: str
    start: float
    end: float
    path: str
    size: int
    frames: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Pin:
    id: int
    site_id: str | None
    start: float
    end: float
    created_by: str
    created_at: float
    note: str

    def covers(self, site_id: str, start: float, end: float) -> bool:
        return (self.site_id is None or self.site_id == site_id) and overlaps(
            self.start, self.end, start, end
        )


def overlaps(a_start: float, a_end: float, b_start: float, b_end: float) -> bool:
    return a_start <= b_end and b_start <= a_end


class RecordingIndex:
    """Thread-safe like the engine it uses: each call is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Our tables may be newer than the database: add them if missing.
        metadata.create_all(engine, tables=list(schema.TABLES), checkfirst=True)

    # Segments

    def add_segment(self, segment: NewSegment) -> Segment:
        values = {
            "site_id": segment.site_id,
            "start": segment.start,
            "end": segment.end,
            "path": segment.path,
            "size": segment.size,
            "frames": segment.frames,
            "width": segment.width,
            "height": segment.height,
        }
        with self._engine.begin() as conn:
            result = conn.execute(schema.segments.insert().values(values))
            (row_id,) = result.inserted_primary_key or (None,)
        if row_id is None:
            raise RuntimeError("the database returned no id for the new segment")
        return Segment(id=int(row_id), **values)  # type: ignore[arg-type]

    def segments(
        self, site_id: str | None, since: float | None, until: float | None, limit: int = 10_000
    ) -> list[Segment]:
        """Segments overlapping [since, until], oldest first."""
        t = schema.segments
        query = sa.select(t)
        if site_id is not None:
            query = query.where(t.c.site_id == site_id)
        if since is not None:
            query = query.where(t.c.end >= since)
        if until is not None:
            query = query.where(t.c.start <= until)
        query = query.order_by(t.c.start, t.c.id).limit(limit)
        with self._engine.connect() as conn:
            return [_segment(row) for row in conn.execute(query).mappings()]

    def segment(self, segment_id: int) -> Segment | None:
        t = schema.segments
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.id == segment_id)).mappings().one_or_none()
        return None if row is None else _segment(row)

    def segment_at(self, site_id: str, at: float) -> Segment | None:
        """The segment holding `at`, else the one whose nearest frame is closest to it."""
        found = self.segments(site_id, at, at, limit=4)
        if found:
            return found[-1]
        t = schema.segments
        before = (
            sa.select(t).where(t.c.site_id == site_id, t.c.end < at).order_by(t.c.end.desc())
        ).limit(1)
        after = (
            sa.select(t).where(t.c.site_id == site_id, t.c.start > at).order_by(t.c.start)
        ).limit(1)
        with self._engine.connect() as conn:
            candidates = [
                _segment(row) for query in (before, after) for row in conn.execute(query).mappings()
            ]
        if not candidates:
            return None
        return min(candidates, key=lambda s: min(abs(s.start - at), abs(s.end - at)))

    def delete_segment(self, segment_id: int) -> None:
        t = schema.segments
        with self._engine.begin() as conn:
            conn.execute(t.delete().where(t.c.id == segment_id))

    def total_size(self) -> int:
        t = schema.segments
        with self._engine.connect() as conn:
            return int(
                conn.execute(sa.select(sa.func.coalesce(sa.func.sum(t.c.size), 0))).scalar_one()
            )

    # Pins

    def add_pin(
        self, site_id: str | None, start: float, end: float, by: str, at: float, note: str
    ) -> Pin:
        if end < start:
            raise ValueError(f"pin end {end:g} is before its start {start:g}")
        values: dict[str, Any] = {
            "site_id": site_id,
            "start": start,
            "end": end,
            "created_by": by,
            "created_at": at,
            "note": note,
        }
        with self._engine.begin() as conn:
            result = conn.execute(schema.pins.insert().values(values))
            (row_id,) = result.inserted_primary_key or (None,)
        if row_id is None:
            raise RuntimeError("the database returned no id for the new pin")
        return Pin(id=int(row_id), **values)

    def pins(self) -> list[Pin]:
        t = schema.pins
        with self._engine.connect() as conn:
            rows = conn.execute(sa.select(t).order_by(t.c.start, t.c.id)).mappings().all()
        return [_pin(row) for row in rows]

    def delete_pin(self, pin_id: int) -> bool:
        t = schema.pins
        with self._engine.begin() as conn:
            return conn.execute(t.delete().where(t.c.id == pin_id)).rowcount > 0


def _segment(row: sa.RowMapping) -> Segment:
    return Segment(
        id=int(row["id"]),
        site_id=row["site_id"],
        start=float(row["start"]),
        end=float(row["end"]),
        path=row["path"],
        size=int(row["size"]),
        frames=int(row["frames"]),
        width=int(row["width"]),
        height=int(row["height"]),
    )


def _pin(row: sa.RowMapping) -> Pin:
    return Pin(
        id=int(row["id"]),
        site_id=row["site_id"],
        start=float(row["start"]),
        end=float(row["end"]),
        created_by=row["created_by"],
        created_at=float(row["created_at"]),
        note=row["note"],
    )
