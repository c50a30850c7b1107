"""Picks the reading value a site's thresholds are set against."""

from __future__ import annotations

from monitor.config.thresholds import Metric
from monitor.measure.measure import Measurement


def metric_value(measurement: Measurement, metric: Metric) -> float:
    match metric:
        case Metric.PEAK_DENSITY:
            return measurement.peak_density
        case Metric.MEAN_DENSITY:
            return measurement.mean_density
        case Metric.COUNT:
            return measurement.count
