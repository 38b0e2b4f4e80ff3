"""Shanghai's districts: real outlines, postal codes, neighbours and the road gazetteer."""

from __future__ import annotations

import dataclasses
import re

import pytest

from seeds import gazetteer, point_in_ring
from seeds.geometry import interior_point, ring_is_simple
from seeds.regions import CITY_CODE, district_by_code, districts, regions

# A well-known place in each district, in adcode order, to check that outlines sit where they should (GCJ-02).
LANDMARKS = {
    "HP": (121.4905, 31.2400),  # the Bund
    "XH": (121.4375, 31.1947),  # Xujiahui
    "CN": (121.4180, 31.2220),  # Zhongshan Park
    "JA": (121.4460, 31.2240),  # Jing'an Temple
    "PT": (121.4080, 31.2530),  # Zhenru
    "HK": (121.4870, 31.2780),  # Hongkou Football Stadium
    "YP": (121.5140, 31.3040),  # Wujiaochang
    "MH": (121.3850, 31.1110),  # Xinzhuang
    "BS": (121.4900, 31.4050),  # Baoshan town
    "JD": (121.2500, 31.3830),  # Jiading old town
    "PD": (121.5060, 31.2400),  # Lujiazui
    "JS": (121.3420, 30.7420),  # Shihua
    "SJ": (121.2280, 31.0320),  # Songjiang new town
    "QP": (121.1240, 31.1510),  # Qingpu town
    "FX": (121.4740, 30.9180),  # Nanqiao
    "CM": (121.3970, 31.6230),  # Chengqiao
}
DISTRICT_CODES = tuple(LANDMARKS)  # in adcode order, as the regions are listed


def test_the_city_comes_first_and_parents_every_district() -> None:
    """Shanghai is the parent region, without outline or postal codes, listed before its sixteen districts."""
    city, *children = regions()
    assert (city.code, city.name, city.name_zh, city.parent_code) == (CITY_CODE, "Shanghai", "上海市", None)
    assert city.polygon == () and city.postal_codes == ()
    assert tuple(region.code for region in children) == DISTRICT_CODES
    assert all(region.parent_code == CITY_CODE and region.time_zone == "Asia/Shanghai" for region in children)


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_outline_is_a_valid_ring_of_at_most_eighty_points(code: str) -> None:
    """Each district outline is one closed, simple ring of 4 to 80 vertices."""
    ring = district_by_code()[code].region.polygon
    assert 4 <= len(ring) <= 80
    assert ring[0] == ring[-1]
    assert ring_is_simple(ring)


@pytest.mark.parametrize(("code", "place"), LANDMARKS.items())
def test_landmark_lies_in_its_district_only(code: str, place: tuple[float, float]) -> None:
    """A landmark falls inside its own district's outline and no other."""
    hits = [d.code for d in districts() if point_in_ring(*place, d.region.polygon)]
    assert hits == [code]


def test_postal_codes_are_six_digits_and_never_shared() -> None:
    """Every district has real-looking postal codes, and no code belongs to two districts."""
    codes = [code for d in districts() for code in d.region.postal_codes]
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) == len(set(codes))
    assert all(d.region.postal_codes for d in districts())


def test_neighbours_are_known_and_mutual() -> None:
    """Adjacency is symmetric and names only districts."""
    by_code = district_by_code()
    for district in districts():
        assert district.neighbours, district.code
        for other in district.neighbours:
            assert district.code in by_code[other].neighbours


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_each_district_has_twenty_to_fifty_road_anchors(code: str) -> None:
    """Every district knows its major roads, each once, to place and find addresses on."""
    streets = [entry.street for entry in gazetteer() if entry.region_code == code]
    assert 20 <= len(streets) <= 50
    assert len(set(streets)) == len(streets)


def test_every_anchor_lies_in_its_district_with_one_of_its_postal_codes() -> None:
    """Gazetteer anchors sit inside their district and carry that district's postal code."""
    by_code = district_by_code()
    for entry in gazetteer():
        region = by_code[entry.region_code].region
        assert point_in_ring(entry.lon, entry.lat, region.polygon), entry
        assert entry.postal_code in region.postal_codes, entry


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_the_district_centre_lies_in_its_district_only(code: str) -> None:
    """Where an address known only to its district is put is inside that district and no other."""
    centre = district_by_code()[code].centre
    assert [d.code for d in districts() if point_in_ring(*centre, d.region.polygon)] == [code]


def test_every_district_has_a_seat_and_places_district_only_addresses_there() -> None:
    """Each district's centre is its government's seat: Pudong's on Century Avenue, not in Nanhui's fields."""
    assert all(d.seat is not None and d.centre == d.seat for d in districts())
    assert district_by_code()["PD"].centre == pytest.approx((121.5442, 31.2215), abs=1e-3)


def test_without_a_seat_the_centre_is_a_point_inside_the_outline() -> None:
    """A district with no seat on file falls back to the interior point of its outline."""
    pudong = dataclasses.replace(district_by_code()["PD"], seat=None)
    assert pudong.centre == interior_point(pudong.region.polygon)
