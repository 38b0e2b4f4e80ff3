"""WGS-84, GCJ-02 and BD-09 conversions against the published reference pairs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing import Point, bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, haversine_m, wgs84_to_gcj02

TIANANMEN = Point(lat=39.915, lon=116.404)


def _close(a: Point, b: Point, tolerance_deg: float = 1e-9) -> bool:
    return abs(a.lat - b.lat) <= tolerance_deg and abs(a.lon - b.lon) <= tolerance_deg


def test_wgs84_to_gcj02_matches_the_reference_pair() -> None:
    """The point every implementation of the formulas is checked against converts to the same digits."""
    assert _close(wgs84_to_gcj02(TIANANMEN), Point(lat=39.91640428150164, lon=116.41024449916938))


def test_bd09_to_gcj02_matches_the_reference_pair() -> None:
    """Baidu's rotation is undone as the reference implementations do it."""
    assert _close(bd09_to_gcj02(TIANANMEN), Point(lat=39.90865673957631, lon=116.39762729119315))


def test_gcj02_to_bd09_matches_the_reference_pair() -> None:
    """And applied the same way."""
    assert _close(gcj02_to_bd09(TIANANMEN), Point(lat=39.92133699351021, lon=116.41036949371029))


def test_beijing_railway_station_in_both_baidu_and_chinese_maps() -> None:
    """A station read off both maps: GCJ-02 (39.90245, 116.42703) is BD-09 (39.90851, 116.43351)."""
    assert _close(bd09_to_gcj02(Point(39.90851, 116.43351)), Point(39.90245, 116.42703), 1e-5)
    assert _close(gcj02_to_bd09(Point(39.90245, 116.42703)), Point(39.90851, 116.43351), 1e-5)


def test_the_shanghai_offset_is_a_few_hundred_metres() -> None:
    """In Shanghai GCJ-02 moves a GPS point some 500 m, Baidu's another kilometre or so."""
    bund = Point(lat=31.2400, lon=121.4905)
    assert 300 < haversine_m(bund, wgs84_to_gcj02(bund)) < 700
    assert 500 < haversine_m(bund, gcj02_to_bd09(bund)) < 1500


@pytest.mark.parametrize("outside", [Point(48.8566, 2.3522), Point(-33.87, 151.21), Point(60.0, 100.0)])
def test_points_outside_china_are_left_alone(outside: Point) -> None:
    """GCJ-02 applies only in mainland China; elsewhere WGS-84 passes through."""
    assert wgs84_to_gcj02(outside) == outside and gcj02_to_wgs84(outside) == outside


@given(st.floats(30.6, 31.9), st.floats(120.8, 122.2))
def test_round_trips_in_shanghai_lose_nothing(lat: float, lon: float) -> None:
    """In Shanghai there and back is within a centimetre, half a metre through Baidu's approximate inverse."""
    point = Point(lat=lat, lon=lon)
    assert haversine_m(point, gcj02_to_wgs84(wgs84_to_gcj02(point))) < 0.01
    assert haversine_m(point, bd09_to_gcj02(gcj02_to_bd09(point))) < 0.5
