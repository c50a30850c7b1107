from __future__ import annotations

import math

import pytest

from monitor.measure.geo import METRES_PER_DEGREE, to_lat_lon, to_local

WUYI = (28.196, 112.9768)


@pytest.mark.parametrize(
    ("lat_lon", "expected"),
    [
        pytest.param(WUYI, (0.0, 0.0), id="origin"),
        pytest.param((28.196 + 1e-3, 112.9768), (0.0, 111.195), id="north-one-millidegree"),
        pytest.param(
            (28.196, 112.9768 + 1e-3),
            (111.195 * math.cos(math.radians(28.196)), 0.0),
            id="east-shrinks-with-latitude",
        ),
    ],
)
def test_local_metres(lat_lon: tuple[float, float], expected: tuple[float, float]) -> None:
    assert to_local(lat_lon, WUYI) == pytest.approx(expected, abs=1e-3)


def test_round_trip_is_exact_to_a_millimetre() -> None:
    for local in [(0.0, 0.0), (250.0, -120.0), (-400.0, 380.5)]:
        assert to_local(to_lat_lon(local, WUYI), WUYI) == pytest.approx(local, abs=1e-3)


def test_distance_agrees_with_haversine_over_a_few_hundred_metres() -> None:
    far = (28.196 + 0.002, 112.9768 + 0.003)
    east, north = to_local(far, WUYI)
    lat1, lon1, lat2, lon2 = map(math.radians, (*WUYI, *far))
    haversine = (
        2
        * (METRES_PER_DEGREE * 180 / math.pi)
        * math.asin(
            math.sqrt(
                math.sin((lat2 - lat1) / 2) ** 2
                + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
            )
        )
    )
    assert math.hypot(east, north) == pytest.approx(haversine, abs=0.05)
