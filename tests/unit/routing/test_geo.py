"""Points, distances and areas."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing import GazetteerGeocoder, Place, Point, haversine_m, ring_contains, validate_ring

SQUARE = [(121.40, 31.15), (121.48, 31.15), (121.48, 31.22), (121.40, 31.22)]
# An L shape: the notch at the top right is outside.
ELL = [(0.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 2.0)]


@pytest.mark.parametrize(
    ("ring", "lat", "lon", "inside"),
    [
        (SQUARE, 31.19, 121.44, True),
        (SQUARE, 31.19, 121.50, False),
        (SQUARE, 31.10, 121.44, False),
        (ELL, 0.5, 1.5, True),
        (ELL, 1.5, 1.5, False),
        (ELL, 1.5, 0.5, True),
    ],
)
def test_ring_contains(ring: list, lat: float, lon: float, inside: bool) -> None:
    """Points are inside exactly when they are, concave outlines included."""
    assert ring_contains(ring, Point(lat=lat, lon=lon)) is inside


def test_haversine_matches_a_known_distance() -> None:
    """People's Square to the Oriental Pearl Tower is about 2.6 km as the crow flies."""
    d = haversine_m(Point(31.2304, 121.4737), Point(31.2397, 121.4998))
    assert 2_500 < d < 2_700


@given(st.floats(-80, 80), st.floats(-170, 170), st.floats(-80, 80), st.floats(-170, 170))
def test_haversine_is_symmetric_and_non_negative(lat1: float, lon1: float, lat2: float, lon2: float) -> None:
    """Distance does not depend on direction."""
    a, b = Point(lat1, lon1), Point(lat2, lon2)
    assert haversine_m(a, b) == pytest.approx(haversine_m(b, a))
    assert haversine_m(a, b) >= 0


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), (float("nan"), 0)])
def test_points_reject_impossible_coordinates(lat: float, lon: float) -> None:
    """A swapped or broken coordinate fails where it is made."""
    with pytest.raises(ValueError):
        Point(lat=lat, lon=lon)


def test_validate_ring_drops_the_closing_point_and_refuses_slivers() -> None:
    """Closed and open rings are the same outline; two points are no outline."""
    assert validate_ring([*SQUARE, SQUARE[0]]) == tuple(SQUARE)
    with pytest.raises(ValueError, match="at least 3"):
        validate_ring([(0, 0), (1, 1), (0, 0)])


def test_gazetteer_prefers_the_longest_street_name() -> None:
    """'Nanjing West Road' is not mistaken for 'Nanjing Road'."""
    geocoder = GazetteerGeocoder(
        [
            Place("Nanjing Road", "200001", Point(31.235, 121.48)),
            Place("Nanjing West Road", "200040", Point(31.228, 121.45)),
        ]
    )
    found = geocoder.geocode("No. 1266, Nanjing West Road, Jing'an District, Shanghai")
    assert found is not None and found.postal_code == "200040" and found.precision == "street"


def test_gazetteer_falls_back_to_the_postal_code_then_gives_up() -> None:
    """An unknown street with a known postal code lands on its centre; nothing known, nothing found."""
    geocoder = GazetteerGeocoder(
        [Place("A Road", "200001", Point(31.0, 121.0)), Place("B Road", "200001", Point(31.2, 121.2))]
    )
    found = geocoder.geocode("No. 5, Unknown Lane", "200001")
    assert found is not None and found.precision == "postal_code"
    assert found.point == Point(31.1, 121.1)
    assert geocoder.geocode("No. 5, Unknown Lane", "999999") is None
