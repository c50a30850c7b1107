"""Frames kept for checking a site's count by hand: the picture, what the model counted on
it, the region it counted in, and the heads a person clicked.

They are the evidence behind a site's count_scale ("why does this camera count 1.3x?"), so
they are kept until deleted, and each keeps the region of its time: a region changed since
does not silently re-count old clicks.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.schema import RowId, metadata

count_samples = sa.Table(
    "count_samples",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("captured_at", sa.Double, nullable=False),
    sa.Column("taken_at", sa.Double, nullable=False),
    sa.Column("taken_by", sa.String, nullable=False),
    sa.Column("model_count", sa.Double, nullable=False),  # raw: before count_scale
    sa.Column("roi", sa.Text, nullable=False),  # JSON [[x, y], ...]
    sa.Column("exclude", sa.Text, nullable=False),  # JSON [[[x, y], ...], ...]
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("jpeg", sa.LargeBinary, nullable=False),
    sa.Column("heads", sa.Text, nullable=True),  # JSON [[x, y], ...]; NULL: not counted yet
    sa.Column("true_count", sa.Integer, nullable=True),
    sa.Column("counted_by", sa.String, nullable=True),
    sa.Column("counted_at", sa.Double, nullable=True),
    sa.Index("ix_count_samples_site_id", "site_id", "id"),
)

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class SampleFrame:
    """The frame a sample keeps, as the model counted it (its JPEG is stored apart)."""

    site_id: str
    captured_at: float
    taken_at: float
    taken_by: str
    model_count: float
    roi: list[Point]
    exclude: list[list[Point]]
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class CountSample:
    id: int
    frame: SampleFrame
    heads: list[Point] | None
    true_count: int | None
    counted_by: str | None
    counted_at: float | None


_COLUMNS = [c for c in count_samples.columns if c.name != "jpeg"]


def _points(parsed: list[list[float]]) -> list[Point]:
    return [(float(x), float(y)) for x, y in parsed]


def _sample(row: sa.Row[tuple[object, ...]]) -> CountSample:
    values = row._mapping
    frame = SampleFrame(
        site_id=values["site_id"],
        captured_at=values["captured_at"],
        taken_at=values["taken_at"],
        taken_by=values["taken_by"],
        model_count=values["model_count"],
        roi=_points(json.loads(values["roi"])),
        exclude=[_points(area) for area in json.loads(values["exclude"])],
        width=values["width"],
        height=values["height"],
    )
    heads = values["heads"]
    return CountSample(
        id=values["id"],
        frame=frame,
        heads=None if heads is None else _points(json.loads(heads)),
        true_count=values["true_count"],
        counted_by=values["counted_by"],
        counted_at=values["counted_at"],
    )


class CountSamples:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[count_samples], checkfirst=True)

    def add(self, frame: SampleFrame, jpeg: bytes) -> CountSample:
        values = asdict(frame) | {
            "roi": json.dumps(frame.roi),
            "exclude": json.dumps(frame.exclude),
            "jpeg": jpeg,
        }
        with self._engine.begin() as conn:
            sample_id = conn.execute(
                sa.insert(count_samples).values(values).returning(count_samples.c.id)
            ).scalar_one()
        found = self.get(int(sample_id))
        assert found is not None
        return found

    def count(self, site_id: str) -> int:
        t = count_samples
        with self._engine.connect() as conn:
            query = sa.select(sa.func.count()).where(t.c.site_id == site_id)
            return int(conn.execute(query).scalar_one())

    def of_site(self, site_id: str) -> list[CountSample]:
        """Oldest first."""
        t = count_samples
        query = sa.select(*_COLUMNS).where(t.c.site_id == site_id).order_by(t.c.id)
        with self._engine.connect() as conn:
            return [_sample(row) for row in conn.execute(query)]

    def get(self, sample_id: int) -> CountSample | None:
        query = sa.select(*_COLUMNS).where(count_samples.c.id == sample_id)
        with self._engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else _sample(row)

    def jpeg(self, sample_id: int) -> bytes | None:
        query = sa.select(count_samples.c.jpeg).where(count_samples.c.id == sample_id)
        with self._engine.connect() as conn:
            found: bytes | None = conn.execute(query).scalar_one_or_none()
        return found

    def set_heads(
        self, sample_id: int, heads: list[Point], true_count: int, by: str, at: float
    ) -> CountSample | None:
        """Replaces the sample's heads; None when there is no such sample."""
        t = count_samples
        with self._engine.begin() as conn:
            updated = conn.execute(
                sa.update(t)
                .where(t.c.id == sample_id)
                .values(
                    heads=json.dumps(heads), true_count=true_count, counted_by=by, counted_at=at
                )
            ).rowcount
        return self.get(sample_id) if updated else None

    def delete(self, sample_id: int) -> bool:
        with self._engine.begin() as conn:
            deleted = conn.execute(
                sa.delete(count_samples).where(count_samples.c.id == sample_id)
            ).rowcount
        return bool(deleted)
