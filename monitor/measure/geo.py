"""Between WGS-84 latitude/longitude and metres east/north of a site.

An equirectangular projection around the site's location: over the few hundred metres a
camera sees, its error stays at centimetres, far below what a calibration click can hit.
"""

from __future__ import annotations

import math

from monitor.config.site import Point

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0


def to_local(lat_lon: Point, origin: Point) -> Point:
    """[lat, lon] → [east, north] metres from `origin` ([lat, lon])."""
    lat, lon = lat_lon
    lat0, lon0 = origin
    east = (lon - lon0) * METRES_PER_DEGREE * math.cos(math.radians(lat0))
    north = (lat - lat0) * METRES_PER_DEGREE
    return east, north


def to_lat_lon(local: Point, origin: Point) -> Point:
    """[east, north] metres from `origin` → [lat, lon]; the inverse of `to_local`."""
    east, north = local
    lat0, lon0 = origin
    lat = lat0 + north / METRES_PER_DEGREE
    lon = lon0 + east / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
    return lat, lon
