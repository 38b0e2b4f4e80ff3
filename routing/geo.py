"""Points on the earth and the areas that contain them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, slots=True)
class Point:
    """A point in GCJ-02, the datum of Chinese maps (routing.datum), checked so a swapped lat/lon fails."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise ValueError(f"latitude must be within -90..90, got {self.lat}")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"longitude must be within -180..180, got {self.lon}")


Ring = Sequence[tuple[float, float]]  # (lon, lat) pairs, GeoJSON order


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance, good to a few metres within a city."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def ring_contains(ring: Ring, point: Point) -> bool:
    """Even-odd ray casting; city-sized rings are small enough to treat as planar."""
    inside = False
    x, y = point.lon, point.lat
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > y) != (y2 > y):
            cross_x = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < cross_x:
                inside = not inside
    return inside


def validate_ring(ring: Ring) -> tuple[tuple[float, float], ...]:
    """Check an area outline once, when it is stored, not on every lookup."""
    points = tuple((float(lon), float(lat)) for lon, lat in ring)
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        raise ValueError(f"a polygon needs at least 3 distinct points, got {len(points)}")
    for lon, lat in points:
        Point(lat=lat, lon=lon)
    return points
