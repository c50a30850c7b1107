from __future__ import annotations

from typing import Any

import pytest

from monitor.bus.messages import TrendPublic
from monitor.notify.forecast_watch import ForecastWatch


def trend(**changes: Any) -> TrendPublic:
    values: dict[str, Any] = {
        "direction": "rising",
        "rate_per_min": 0.8,
        "value": 3.6,
        "next_level": "critical",
        "next_enter": 5.0,
        "next_color": "#e03131",
        "eta_s": 105.0,
    }
    return TrendPublic(**(values | changes))


@pytest.mark.parametrize(
    ("given", "announced"),
    [
        pytest.param(None, False, id="no-trend"),
        pytest.param(trend(), True, id="rising-within"),
        pytest.param(trend(eta_s=0.0), True, id="already-there-pending"),
        pytest.param(trend(eta_s=181.0), False, id="beyond-the-window"),
        pytest.param(trend(eta_s=None), False, id="beyond-the-horizon"),
        pytest.param(trend(direction="steady"), False, id="steady"),
        pytest.param(trend(next_level=None, eta_s=None), False, id="top-level"),
    ],
)
def test_what_is_announced(given: TrendPublic | None, announced: bool) -> None:
    forecast = ForecastWatch(within_s=180, cooldown_s=600).observe("wuyi", "high", given, 0.0)
    assert (forecast is not None) is announced
    if forecast is not None:
        assert (forecast.level, forecast.current_level, forecast.value) == ("critical", "high", 3.6)


def test_one_forecast_per_site_and_level_per_cooldown() -> None:
    watch = ForecastWatch(within_s=180, cooldown_s=600)
    assert watch.observe("wuyi", "high", trend(), 0.0) is not None
    assert watch.observe("wuyi", "high", trend(eta_s=60.0), 30.0) is None  # same episode
    assert watch.observe("pozi", "high", trend(), 30.0) is not None  # another site
    assert watch.observe("wuyi", "normal", trend(next_level="high"), 40.0) is not None
    assert watch.observe("wuyi", "high", trend(), 599.0) is None
    assert watch.observe("wuyi", "high", trend(), 600.0) is not None  # cooled down


def test_bounds() -> None:
    with pytest.raises(ValueError, match="within_s"):
        ForecastWatch(within_s=0, cooldown_s=1)
