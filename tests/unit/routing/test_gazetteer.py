"""The offline gazetteer: the street within its district, else the district, in Chinese and in English."""

from __future__ import annotations

import pytest

from routing import District, GazetteerGeocoder, GeocodeResult, Place, Point

LUJIAZUI = Point(31.2300, 121.5250)
JINGAN_TEMPLE = Point(31.2240, 121.4460)
PEOPLES_SQUARE = Point(31.2330, 121.4710)
PUDONG_CENTRE = Point(31.1000, 121.7000)
HUANGPU_CENTRE = Point(31.2200, 121.4800)

GAZETTEER = GazetteerGeocoder(
    [
        Place("Dongfang Road", "200120", LUJIAZUI, district="Pudong", local_name="东方路"),
        Place("Nanjing West Road", "200040", JINGAN_TEMPLE, district="Jing'an", local_name="南京西路"),
        Place("Nanjing West Road", "200003", PEOPLES_SQUARE, district="Huangpu", local_name="南京西路"),
        Place("Sanlu Highway", "201108", Point(31.05, 121.50), district="Minhang", local_name="三鲁公路"),
    ],
    [
        District("Pudong", ("浦东新区", "Pudong New Area"), PUDONG_CENTRE),
        District("Huangpu", ("黄浦区", "Huangpu District"), HUANGPU_CENTRE),
        District("Jing'an", ("静安区", "Jing'an District"), Point(31.27, 121.45)),
        District("Minhang", ("闵行区", "Minhang District"), Point(31.09, 121.42)),
    ],
)


@pytest.mark.parametrize(
    "address",
    [
        "上海市浦东新区东方路800号",
        "上海浦东东方路８００弄",
        "上海市东方路800号",
        "800 Dongfang Road, Pudong New Area, Shanghai",
        "No. 800 Dongfang Rd, Shanghai",
        "东方路800号(近张杨路)",
    ],
)
def test_a_known_street_is_found_however_it_is_written(address: str) -> None:
    """Chinese or English, with or without the district: the street's own point, at street precision."""
    assert GAZETTEER.geocode(address) == GeocodeResult(LUJIAZUI, "200120", "street")


@pytest.mark.parametrize(
    ("address", "point"),
    [
        ("上海市静安区南京西路1266号", JINGAN_TEMPLE),
        ("上海市黄浦区南京西路1号", PEOPLES_SQUARE),
        ("1 Nanjing Rd W, Huangpu District", PEOPLES_SQUARE),
        ("1266 West Nanjing Road, Jing'an", JINGAN_TEMPLE),
    ],
)
def test_a_street_in_two_districts_is_taken_in_the_one_named(address: str, point: Point) -> None:
    """南京西路 runs through Jing'an and Huangpu; the district written decides which stretch."""
    found = GAZETTEER.geocode(address)
    assert found is not None and found.point == point


@pytest.mark.parametrize(
    "address",
    [
        "上海市浦东新区张江路100号",
        "上海市浦东新区",
        "Pudong New Area, 1 Unknown Road",
        "上海市浦东新区南京西路1号",
    ],
)
def test_the_district_alone_gives_its_centre(address: str) -> None:
    """An unknown street, no street, or a street the district does not have: the district's centre."""
    assert GAZETTEER.geocode(address) == GeocodeResult(PUDONG_CENTRE, None, "district")


def test_the_postal_code_chooses_between_two_stretches() -> None:
    """Without a district, the postal code picks the stretch of a street found in two."""
    found = GAZETTEER.geocode("南京西路100号", "200003")
    assert found is not None and found.point == PEOPLES_SQUARE


def test_a_road_written_with_the_wrong_road_word_is_still_found() -> None:
    """ "Sanlu Road" for Sanlu Highway (三鲁公路) still finds it."""
    found = GAZETTEER.geocode("88 Sanlu Road, Minhang")
    assert found is not None and found.precision == "street" and found.postal_code == "201108"


@pytest.mark.parametrize("address", ["北京市朝阳区建国路88号", "Somewhere far away", "上海市某某路1号"])
def test_nothing_known_is_nothing_found(address: str) -> None:
    """No known street or district: no guess."""
    assert GAZETTEER.geocode(address) is None
