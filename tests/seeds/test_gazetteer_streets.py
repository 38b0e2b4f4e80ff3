"""The demo city's gazetteer: every point in its own district, and the major roads found however written."""

from __future__ import annotations

import pytest

from app.services.seeding import demo_geocoder
from routing import GazetteerGeocoder, Point
from routing.geo import ring_contains
from seeds.regions import district_by_code, districts
from tests.integration.test_addresses import ADDRESSES as HTTP_ADDRESSES

DISTRICT_CODES = tuple(d.code for d in districts())

# Addresses on the major roads, as customers write them: Chinese and English, with and without the city or the
# district, towns and sub-districts in front, lanes (弄) and numbers (号), full-width digits, abbreviations.
ADDRESSES = [
    ("上海市黄浦区南京东路353号", "HP"),
    ("上海黄浦区淮海中路２８２号", "HP"),
    ("上海市南京东路800号", "HP"),
    ("No. 99 Fuzhou Rd, Huangpu District, Shanghai", "HP"),
    ("上海市黄浦区复兴东路1号", "HP"),
    ("1288 Huaihai Rd (M), Xuhui District, Shanghai", "XH"),
    ("上海市徐汇区衡山路10号", "XH"),
    ("上海市徐汇区漕溪北路88号", "XH"),
    ("No. 1954 Huashan Rd, Xuhui", "XH"),
    ("上海市长宁区延安西路2299号", "CN"),
    ("Changning District, 1018 Tianshan Rd", "CN"),
    ("上海市长宁区古北路６６６号", "CN"),
    ("上海静安区共和新路3000弄5号", "JA"),
    ("1000 Gonghexin Road, Jing'an District", "JA"),
    ("上海市静安区石门一路288号", "JA"),
    ("上海市普陀区曹杨路1040弄1号", "PT"),
    ("Putuo District, 1888 Zhenbei Road", "PT"),
    ("上海 普陀区 大渡河路 1668号", "PT"),
    ("上海市虹口区大连路839号", "HK"),
    ("Hongkou District, 200 Duolun Rd", "HK"),
    ("上海市虹口区东大名路1089号", "HK"),
    ("上海市杨浦区邯郸路220号", "YP"),
    ("上海市杨浦区国权路５２５号", "YP"),
    ("Yangpu District, 1500 Dalian Road", "YP"),
    ("Shanghai, 500 Handan Rd", "YP"),
    ("上海市浦东新区世纪大道1568号", "PD"),
    ("88 Century Ave, Pudong, Shanghai", "PD"),
    ("上海市浦东新区陆家嘴环路1000号", "PD"),
    ("上海市浦东新区银城中路501号", "PD"),
    ("上海市浦东新区龙阳路2000号", "PD"),
    ("Jinxiu Road 1001, Pudong New Area", "PD"),
    ("1 Lujiazui Ring Road, Shanghai", "PD"),
    ("上海市浦东新区张江镇金科路2889号", "PD"),
    ("上海市闵行区吴中路1100号", "MH"),
    ("上海市闵行区七莘路３６５５号", "MH"),
    ("上海市闵行区莘庄镇都市路5001号", "MH"),
    ("Minhang District, 1000 Hongquan Rd", "MH"),
    ("上海市宝山区同济路999号", "BS"),
    ("上海市嘉定区城中路20号", "JD"),
    ("嘉定区塔城路299号", "JD"),
    ("上海市金山区石化街道蒙山路1号", "JS"),
    ("上海市松江区人民北路2018号", "SJ"),
    ("Songjiang District, 1 Zhongshan Middle Rd", "SJ"),
    ("上海市青浦区公园东路1000弄8号", "QP"),
    ("Qingpu District, 188 Dianshanhu Ave", "QP"),
    ("上海市奉贤区南桥镇百齐路288号", "FX"),
    ("上海市崇明区城桥镇八一路38号", "CM"),
    ("上海市共和新路1000号", "JA"),
]


@pytest.fixture(scope="module")
def geocoder() -> GazetteerGeocoder:
    """The offline geocoder the app uses for the demo city."""
    return demo_geocoder()


def _inside(code: str, lon: float, lat: float) -> bool:
    return ring_contains(district_by_code()[code].region.polygon, Point(lat=lat, lon=lon))


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_every_street_point_lies_inside_its_own_district(code: str) -> None:
    """Each road anchor of a district, old or added, falls within that district's outline."""
    outside = [a.street for a in district_by_code()[code].anchors if not _inside(code, a.lon, a.lat)]
    assert outside == []


@pytest.mark.parametrize("code", DISTRICT_CODES)
def test_every_seat_lies_inside_its_own_district(code: str) -> None:
    """The district's seat, where district-only addresses go, falls within its outline."""
    seat = district_by_code()[code].seat
    assert seat is not None and _inside(code, *seat)


def test_the_addresses_are_new_and_cover_every_district() -> None:
    """Forty or more addresses, none taken from the HTTP test, at least one per district."""
    assert len(ADDRESSES) >= 40
    assert not {address for address, _ in ADDRESSES} & {address for address, _ in HTTP_ADDRESSES}
    assert {code for _, code in ADDRESSES} == set(DISTRICT_CODES)


@pytest.mark.parametrize(("address", "code"), ADDRESSES)
def test_a_major_road_is_found_at_street_precision_in_its_district(
    geocoder: GazetteerGeocoder, address: str, code: str
) -> None:
    """The address lands on one of its district's road anchors, at street precision."""
    found = geocoder.geocode(address)
    assert found is not None and found.precision == "street"
    assert _inside(code, found.point.lon, found.point.lat)
    anchors = {(a.lat, a.lon) for a in district_by_code()[code].anchors}
    assert (found.point.lat, found.point.lon) in anchors


@pytest.mark.parametrize(
    ("address", "code"),
    [("上海市浦东新区航头镇航都路18号", "PD"), ("Minhang District, 1 Xinjun Ring Road", "MH")],
)
def test_an_unknown_road_in_a_known_district_goes_to_its_seat(
    geocoder: GazetteerGeocoder, address: str, code: str
) -> None:
    """A road the gazetteer lacks, in a district it knows: the district's seat, at district precision."""
    found = geocoder.geocode(address)
    assert found is not None and found.precision == "district"
    assert (found.point.lon, found.point.lat) == district_by_code()[code].seat
