"""Per-site calibration: a multiplicative count correction fitted on a few annotated frames."""

from __future__ import annotations

from collections.abc import Sequence

# The bounds SiteConfig.count_scale accepts.
MIN_SCALE, MAX_SCALE = 0.05, 20.0


def fit_count_scale(predicted: Sequence[float], true: Sequence[float]) -> float:
    """Least-squares scale through the origin: minimises sum((s * p - t)^2), clipped to the
    range SiteConfig allows. With nothing predicted there is nothing to scale: 1.0."""
    if len(predicted) != len(true) or not predicted:
        raise ValueError("need the same, non-zero number of predicted and true counts")
    pp = sum(p * p for p in predicted)
    if pp <= 1e-12:
        return 1.0
    scale = sum(p * t for p, t in zip(predicted, true, strict=True)) / pp
    return min(MAX_SCALE, max(MIN_SCALE, scale))


def leave_one_out_scaled(predicted: Sequence[float], true: Sequence[float]) -> list[float]:
    """Each frame's count scaled by the factor fitted on the other frames: an honest estimate
    of the corrected error on frames the fit has not seen."""
    if len(predicted) < 2:
        raise ValueError("leave-one-out needs two or more frames")
    out = []
    for i, p in enumerate(predicted):
        rest_p = [q for j, q in enumerate(predicted) if j != i]
        rest_t = [t for j, t in enumerate(true) if j != i]
        out.append(fit_count_scale(rest_p, rest_t) * p)
    return out


def scale_snippet(scale: float, site_id: str | None = None) -> str:
    """The YAML to paste into the site's entry under `sites:`."""
    lines = ["# fitted by `crowd-monitor calibrate`"]
    if site_id:
        lines.append(f"- id: {site_id}")
        lines.append(f"  count_scale: {scale:.4f}")
    else:
        lines.append(f"count_scale: {scale:.4f}")
    return "\n".join(lines) + "\n"
