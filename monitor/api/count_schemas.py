"""Request and response bodies of the count check: frames of a site counted by hand, and the
count_scale they call for."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from monitor.api.schemas import Body
from monitor.density.calibrate import MAX_SCALE, MIN_SCALE

MAX_HEADS = 5000
"""More heads than any frame of ShanghaiTech A holds (3,139)."""

Head = Annotated[
    tuple[
        Annotated[float, Field(allow_inf_nan=False)], Annotated[float, Field(allow_inf_nan=False)]
    ],
    Field(description="[x, y] image pixels of the sample's frame."),
]


class CountSamplePublic(Body):
    id: int
    site_id: str
    captured_at: float = Field(description="When the frame was captured, epoch seconds.")
    taken_at: float
    taken_by: str
    image_url: str = Field(description="The frame as JPEG, without the heat overlay.")
    width: int
    height: int
    model_count: float = Field(
        description="What the model counted in the region, before any count_scale."
    )
    counted_now: float = Field(
        description="What the site counts on it with the count_scale in force."
    )
    roi: list[tuple[float, float]] = Field(description="The region when it was taken.")
    exclude: list[list[tuple[float, float]]] = Field(
        description="The areas left out when it was taken."
    )
    heads: list[tuple[float, float]] | None = Field(
        description="The heads clicked, image pixels; null until someone counts them."
    )
    true_count: int | None = Field(
        description="The heads inside the region and outside the exclusions."
    )
    counted_by: str | None
    counted_at: float | None


class HeadsRequest(Body):
    heads: list[Head] = Field(
        max_length=MAX_HEADS,
        description="Every head in the frame, [x, y] pixels (those outside the region are "
        "kept but not counted); the list replaces the previous one.",
    )


class CountedSamplePublic(Body):
    id: int
    true_count: int
    counted_now: float = Field(description="The site's count with the count_scale in force.")
    counted_fitted: float = Field(description="The site's count with the fitted count_scale.")


class CountFitPublic(Body):
    samples: int = Field(description="Samples with their heads counted, used by the fit.")
    uncounted: int = Field(description="Samples nobody has counted yet: left out.")
    count_scale: float = Field(description="The count_scale that fits them best.")
    current_scale: float
    mae_now: float = Field(description="Mean absolute count error with the scale in force.")
    mae_fitted: float = Field(description="With the fitted scale, on the samples it fits.")
    mae_held_out: float | None = Field(
        description="Each sample counted with the scale fitted on the others: what to expect "
        "on frames the fit has not seen. Needs three or more samples."
    )
    per_sample: list[CountedSamplePublic]


class CountScaleRequest(Body):
    count_scale: float = Field(
        ge=MIN_SCALE,
        le=MAX_SCALE,
        allow_inf_nan=False,
        description="Multiplied into the site's density map: 1.0 is the model as trained.",
    )


class AppliedScalePublic(Body):
    at: float
    by: str
    scale: float
    samples: int = Field(description="Frames counted by hand behind it (0: set by hand).")
    mae_applied: float | None = Field(
        description="Mean absolute count error at this scale on those frames."
    )
    mae_held_out: float | None = Field(
        description="The fit's error on frames it did not see (each held out in turn): what "
        "to expect on new frames. Needs three or more samples and the fitted scale."
    )


class CountScalePublic(Body):
    site_id: str
    count_scale: float = Field(description="In force now.")
    applied: AppliedScalePublic | None = Field(
        description="How the latest scale was set through the API; null: from the YAML."
    )
