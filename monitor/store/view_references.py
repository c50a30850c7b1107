"""Each site's set-up view: the frame its region and calibration fit, kept as a JPEG.

One row per site, replaced when a supervisor saves the region or calibration or takes the
view anew, and deleted with a new source (another camera has another view). It outlives
restarts on purpose: a camera moved while the monitor was down is still caught when it
comes back.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.store.schema import metadata
from monitor.store.upsert import upsert

view_references = sa.Table(
    "view_references",
    metadata,
    sa.Column("site_id", sa.String, primary_key=True),
    sa.Column("source_digest", sa.String, nullable=False),  # sha256 of the source it came from
    sa.Column("captured_at", sa.Double, nullable=False),  # the frame's capture time
    sa.Column("taken_at", sa.Double, nullable=False),
    sa.Column("taken_by", sa.String, nullable=False),  # "system": the first frame seen
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("corners", sa.Integer, nullable=False),  # fixed-structure corners found on it
    sa.Column("jpeg", sa.LargeBinary, nullable=False),
)


@dataclass(frozen=True, slots=True)
class ViewReference:
    site_id: str
    source_digest: str
    captured_at: float
    taken_at: float
    taken_by: str
    width: int
    height: int
    corners: int
    jpeg: bytes


class ViewReferences:
    """Thread-safe: every call is one short transaction on the engine's pool."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        metadata.create_all(engine, tables=[view_references], checkfirst=True)

    def put(self, reference: ViewReference) -> None:
        row = {
            "site_id": reference.site_id,
            "source_digest": reference.source_digest,
            "captured_at": reference.captured_at,
            "taken_at": reference.taken_at,
            "taken_by": reference.taken_by,
            "width": reference.width,
            "height": reference.height,
            "corners": reference.corners,
            "jpeg": reference.jpeg,
        }
        with self._engine.begin() as conn:
            upsert(conn, view_references, row, ["site_id"])

    def get(self, site_id: str) -> ViewReference | None:
        t = view_references
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(t).where(t.c.site_id == site_id)).first()
        if row is None:
            return None
        return ViewReference(
            site_id=row.site_id,
            source_digest=row.source_digest,
            captured_at=row.captured_at,
            taken_at=row.taken_at,
            taken_by=row.taken_by,
            width=row.width,
            height=row.height,
            corners=row.corners,
            jpeg=bytes(row.jpeg),
        )

    def delete(self, site_id: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(view_references.delete().where(view_references.c.site_id == site_id))
