"""Containment, simplification, validity and offsets on (lon, lat) rings."""

from __future__ import annotations

import math
import random

import pytest

from seeds.geometry import (
    interior_point,
    offset,
    point_in_ring,
    point_near,
    ring_is_simple,
    simplify_polyline,
)

SQUARE = ((121.40, 31.15), (121.48, 31.15), (121.48, 31.22), (121.40, 31.22))
# An L shape whose top-right notch is outside.
ELL = ((0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0))


@pytest.mark.parametrize(
    ("ring", "lon", "lat", "inside"),
    [
        (SQUARE, 121.44, 31.19, True),
        (SQUARE, 121.50, 31.19, False),
        (SQUARE, 121.44, 31.10, False),
        ((*SQUARE, SQUARE[0]), 121.44, 31.19, True),
        (ELL, 1.5, 0.5, True),
        (ELL, 1.5, 1.5, False),
        (ELL, 0.5, 1.5, True),
        ((), 0.0, 0.0, False),
    ],
)
def test_point_in_ring(ring: tuple, lon: float, lat: float, inside: bool) -> None:
    """A point is inside exactly when it is, for open, closed and concave rings."""
    assert point_in_ring(lon, lat, ring) is inside


def test_simplify_keeps_ends_and_drops_near_collinear_vertices() -> None:
    """Douglas-Peucker keeps both ends and the real corner, and drops wiggles below the tolerance."""
    line = [(121.0, 31.0), (121.001, 31.00001), (121.002, 31.0), (121.002, 31.01), (121.0021, 31.02)]
    assert simplify_polyline(line, tolerance_m=50.0) == [(121.0, 31.0), (121.002, 31.0), (121.0021, 31.02)]


def test_simplify_with_zero_tolerance_keeps_every_bend() -> None:
    """Nothing that bends is lost when the tolerance is zero."""
    line = [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0), (3.0, 1.0)]
    assert simplify_polyline(line, tolerance_m=0.0) == line


@pytest.mark.parametrize(
    ("ring", "simple"),
    [
        (SQUARE, True),
        (ELL, True),
        (((0.0, 0.0), (1.0, 1.0), (1.0, 0.0), (0.0, 1.0)), False),  # a bow tie
        (((0.0, 0.0), (1.0, 0.0)), False),
        (((0.0, 0.0), (2.0, 0.0), (1.0, 0.0), (1.0, 1.0)), False),  # folds back on itself
    ],
)
def test_ring_is_simple(ring: tuple, simple: bool) -> None:
    """Crossing, degenerate and self-touching rings are not simple."""
    assert ring_is_simple(ring) is simple


def test_offset_moves_by_the_requested_metres() -> None:
    """A kilometre north and east in Shanghai is about 0.009 degrees of latitude and 0.0105 of longitude."""
    lon, lat = offset(121.47, 31.23, 1000.0, 1000.0)
    assert lat - 31.23 == pytest.approx(0.008983, abs=1e-5)
    assert lon - 121.47 == pytest.approx(0.008983 / math.cos(math.radians(31.23)), abs=1e-5)


def test_point_near_stays_in_the_ring_and_within_reach() -> None:
    """Scattered points stay inside the ring and no farther than asked."""
    rng = random.Random(3)
    for _ in range(200):
        lon, lat = point_near(rng, 121.405, 31.155, SQUARE, max_m=2000.0)
        assert point_in_ring(lon, lat, SQUARE)
        assert math.hypot((lon - 121.405) * 95_200, (lat - 31.155) * 111_320) <= 2000.0 + 1.0


def test_interior_point_of_a_crescent_is_inside() -> None:
    """A U-shape's centroid falls in its gap; the interior point is taken on the widest span instead."""
    u_shape = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)]
    lon, lat = interior_point(u_shape)
    assert point_in_ring(lon, lat, u_shape)
    assert interior_point([(0, 0), (2, 0), (2, 2), (0, 2)]) == (1.0, 1.0)
