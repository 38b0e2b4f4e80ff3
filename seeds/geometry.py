"""Small planar geometry on (lon, lat) rings: containment, simplification, validity and offsets."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from routing.geo import Point, ring_contains

Coord = tuple[float, float]  # (lon, lat)

METRES_PER_DEGREE_LAT = 111_320.0


def point_in_ring(lon: float, lat: float, ring: Sequence[Sequence[float]]) -> bool:
    """Whether a point lies inside one outer ring (closed or not), with the same test the product uses."""
    return len(ring) >= 3 and ring_contains([(v[0], v[1]) for v in ring], Point(lat=lat, lon=lon))


def simplify_polyline(points: Sequence[Coord], tolerance_m: float) -> list[Coord]:
    """Douglas-Peucker: keep both ends and every vertex that deviates more than the tolerance."""
    if len(points) < 3:
        return list(points)
    xy = _to_metres(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        index, distance = _farthest(xy, first, last)
        if index is not None and distance > tolerance_m:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def ring_is_simple(ring: Sequence[Coord]) -> bool:
    """Whether a ring has at least three distinct vertices and no two edges cross or touch."""
    vertices = _open(ring)
    if len(set(vertices)) != len(vertices) or len(vertices) < 3:
        return False
    edges = [(vertices[i], vertices[(i + 1) % len(vertices)]) for i in range(len(vertices))]
    for i, (a, b) in enumerate(edges):
        for j in range(i + 1, len(edges)):
            if j == i + 1 or (i == 0 and j == len(edges) - 1):
                continue  # neighbouring edges share a vertex by construction
            if _segments_meet(a, b, *edges[j]):
                return False
    return True


def interior_point(ring: Sequence[Sequence[float]]) -> Coord:
    """The ring's centroid if inside, else the middle of the widest span across the centroid's latitude."""
    vertices = _open([(float(v[0]), float(v[1])) for v in ring])
    edges = list(zip(vertices, [*vertices[1:], vertices[0]], strict=True))
    twice_area = sum(a[0] * b[1] - b[0] * a[1] for a, b in edges)
    lon = sum((a[0] + b[0]) * (a[0] * b[1] - b[0] * a[1]) for a, b in edges) / (3.0 * twice_area)
    lat = sum((a[1] + b[1]) * (a[0] * b[1] - b[0] * a[1]) for a, b in edges) / (3.0 * twice_area)
    if point_in_ring(lon, lat, vertices):
        return lon, lat
    # A crescent or an L: cut the ring along the centroid's latitude and take the widest piece.
    crossings = sorted(
        a[0] + (lat - a[1]) * (b[0] - a[0]) / (b[1] - a[1]) for a, b in edges if (a[1] > lat) != (b[1] > lat)
    )
    spans = list(zip(crossings[::2], crossings[1::2], strict=True))
    west, east = max(spans, key=lambda span: span[1] - span[0])
    return (west + east) / 2.0, lat


def offset(lon: float, lat: float, east_m: float, north_m: float) -> Coord:
    """The point a small number of metres east and north of another."""
    d_lat = north_m / METRES_PER_DEGREE_LAT
    d_lon = east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return lon + d_lon, lat + d_lat


def point_near(
    rng: random.Random,
    lon: float,
    lat: float,
    ring: Sequence[Sequence[float]],
    *,
    max_m: float,
    min_m: float = 0.0,
) -> Coord:
    """A point spread evenly around another, within the ring (else the point itself), for addresses."""
    for _ in range(50):
        distance = math.sqrt(rng.uniform(min_m**2, max_m**2))
        bearing = rng.uniform(0.0, 2.0 * math.pi)
        candidate = offset(lon, lat, distance * math.sin(bearing), distance * math.cos(bearing))
        if point_in_ring(candidate[0], candidate[1], ring):
            return round(candidate[0], 6), round(candidate[1], 6)
    return lon, lat


def _open(ring: Sequence[Coord]) -> list[Coord]:
    vertices = [(float(p[0]), float(p[1])) for p in ring]
    if len(vertices) > 1 and vertices[0] == vertices[-1]:
        vertices.pop()
    return vertices


def _to_metres(points: Sequence[Coord]) -> list[tuple[float, float]]:
    # An equirectangular projection around the first point is exact enough at city scale.
    scale_x = METRES_PER_DEGREE_LAT * math.cos(math.radians(points[0][1]))
    return [(p[0] * scale_x, p[1] * METRES_PER_DEGREE_LAT) for p in points]


def _farthest(xy: list[tuple[float, float]], first: int, last: int) -> tuple[int | None, float]:
    (ax, ay), (bx, by) = xy[first], xy[last]
    dx, dy = bx - ax, by - ay
    length_sq = dx * dx + dy * dy
    best, best_distance = None, -1.0
    for i in range(first + 1, last):
        px, py = xy[i]
        if length_sq == 0.0:
            distance = math.hypot(px - ax, py - ay)
        else:
            t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length_sq))
            distance = math.hypot(px - ax - t * dx, py - ay - t * dy)
        if distance > best_distance:
            best, best_distance = i, distance
    return best, best_distance


def _orientation(a: Coord, b: Coord, c: Coord) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Coord, b: Coord, p: Coord) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _segments_meet(a: Coord, b: Coord, c: Coord, d: Coord) -> bool:
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    if ((o1 > 0 > o2) or (o1 < 0 < o2)) and ((o3 > 0 > o4) or (o3 < 0 < o4)):
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )
