"""Each count_scale applied to a site, with the evidence it stood on then: how many frames
counted by hand, and how far off the site was with it on them and on frames held out of the
fit. The setup change itself is in the site's history; this is what an operator reads to
know how far to trust a corrected count."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.schema import RowId, metadata

count_scales = sa.Table(
    "count_scales",
    metadata,
    sa.Column("id", RowId, primary_key=True, autoincrement=True),
    sa.Column("site_id", sa.String, nullable=False),
    sa.Column("at", sa.Double, nullable=False),
    sa.Column("by", sa.String, nullable=False),
    sa.Column("scale", sa.Double, nullable=False),
    sa.Column("samples", sa.Integer, nullable=False),  # frames counted by hand behind it
    sa.Column("mae_applied", sa.Double, nullable=True),  # on those frames, at this scale
    sa.Column("mae_held_out", sa.Double, nullable=True),  # the fit on frames it did not see
    sa.Index("ix_count_scales_site_id", "site_id", "id"),
)


@dataclass(frozen=True, slots=True)
class AppliedScale:
    site_id: str
    at: float
    by: str
    scale: float
    samples: int
    mae_applied: float | None
    mae_held_out: float | None


class CountScales:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[count_scales], checkfirst=True)

    def record(self, applied: AppliedScale) -> None:
        with self._engine.begin() as conn:
            conn.execute(sa.insert(count_scales).values(asdict(applied)))

    def latest(self, site_id: str) -> AppliedScale | None:
        t = count_scales
        query = (
            sa.select(t.c.site_id, t.c.at, t.c.by, t.c.scale, t.c.samples)
            .add_columns(t.c.mae_applied, t.c.mae_held_out)
            .where(t.c.site_id == site_id)
            .order_by(t.c.id.desc())
            .limit(1)
        )
        with self._engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return None if row is None else AppliedScale(*row)
