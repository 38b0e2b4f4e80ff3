"""Between the three coordinate systems met in China: WGS-84 (GPS, OpenStreetMap), GCJ-02 and BD-09.

Everything in fieldops is GCJ-02, the datum Chinese maps and the district outlines use; Nominatim answers in
WGS-84 and Baidu in BD-09, so their points are converted on the way in. These are the published formulas
(the Krasovsky-ellipsoid offset of GCJ-02 and Baidu's rotation of it); GCJ-02 applies only inside mainland
China, so points outside its bounding box pass through unchanged.
"""

from __future__ import annotations

import math

from routing.geo import Point

_A = 6378245.0  # the Krasovsky 1940 ellipsoid GCJ-02 is defined on
_EE = 0.00669342162296594323
_BD_PI = math.pi * 3000.0 / 180.0


def in_mainland_china(point: Point) -> bool:
    """The rough box where GCJ-02 applies (the same one every implementation of the formulas uses)."""
    return 72.004 <= point.lon <= 137.8347 and 0.8293 <= point.lat <= 55.8271


def wgs84_to_gcj02(point: Point) -> Point:
    """A GPS (WGS-84) point as Chinese maps draw it."""
    if not in_mainland_china(point):
        return point
    d_lat, d_lon = _offset(point)
    return Point(lat=point.lat + d_lat, lon=point.lon + d_lon)


def gcj02_to_wgs84(point: Point) -> Point:
    """The inverse of wgs84_to_gcj02, by fixed-point iteration to well under a centimetre."""
    if not in_mainland_china(point):
        return point
    guess = point
    for _ in range(10):
        shifted = wgs84_to_gcj02(guess)
        d_lat, d_lon = shifted.lat - point.lat, shifted.lon - point.lon
        guess = Point(lat=guess.lat - d_lat, lon=guess.lon - d_lon)
        if abs(d_lat) < 1e-10 and abs(d_lon) < 1e-10:
            break
    return guess


def bd09_to_gcj02(point: Point) -> Point:
    """A Baidu map point (BD-09) in GCJ-02."""
    x, y = point.lon - 0.0065, point.lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _BD_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _BD_PI)
    return Point(lat=z * math.sin(theta), lon=z * math.cos(theta))


def gcj02_to_bd09(point: Point) -> Point:
    """A GCJ-02 point as Baidu maps draw it."""
    x, y = point.lon, point.lat
    z = math.hypot(x, y) + 0.00002 * math.sin(y * _BD_PI)
    theta = math.atan2(y, x) + 0.000003 * math.cos(x * _BD_PI)
    return Point(lat=z * math.sin(theta) + 0.006, lon=z * math.cos(theta) + 0.0065)


def _offset(point: Point) -> tuple[float, float]:
    x, y = point.lon - 105.0, point.lat - 35.0
    d_lat = _shift_lat(x, y)
    d_lon = _shift_lon(x, y)
    rad_lat = math.radians(point.lat)
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * math.sqrt(magic)) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / math.sqrt(magic) * math.cos(rad_lat) * math.pi)
    return d_lat, d_lon


def _shift_lat(x: float, y: float) -> float:
    shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return shift


def _shift_lon(x: float, y: float) -> float:
    shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    shift += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    shift += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    shift += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return shift
