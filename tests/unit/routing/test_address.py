"""Reading Shanghai addresses, written in Chinese or in English, into district, road and number."""

from __future__ import annotations

import pytest

from routing import AddressParts, AddressReader
from routing.address import district_keys, road_key

READER = AddressReader(
    {
        "Pudong": ("浦东新区", "Pudong New Area"),
        "Huangpu": ("黄浦区",),
        "Jing'an": ("静安区",),
        "Changning": ("长宁区",),
        "Minhang": ("闵行区",),
        "Jinshan": ("金山区",),
        "Chongming": ("崇明区",),
    }
)


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("上海市浦东新区东方路800号", ("Pudong", "东方路", "800")),
        ("上海浦东新区东方路８００号", ("Pudong", "东方路", "800")),
        ("上海市　浦东新区　东方路　800弄5号1201室", ("Pudong", "东方路", "800")),
        ("浦东东方路800号", ("Pudong", "东方路", "800")),
        ("中国上海市浦东新区陆家嘴街道东方路800号", ("Pudong", "陆家嘴街道东方路", "800")),
        ("200120上海市浦东新区东方路800号宝安大厦", ("Pudong", "东方路", "800")),
        ("上海市闵行区莘庄镇莘松路100号", ("Minhang", "莘庄镇莘松路", "100")),
        ("上海市长宁区仙霞路300弄", ("Changning", "仙霞路", "300")),
        ("上海崇明区城桥镇八一路1号", ("Chongming", "城桥镇八一路", "1")),
        ("上海市嘉定区", (None, None, None)),
    ],
)
def test_chinese_addresses(address: str, parts: tuple[str | None, ...]) -> None:
    """Province, city, district, road and number come apart, full-width digits and spaces included."""
    assert READER.read(address) == AddressParts(*parts)


@pytest.mark.parametrize(
    ("address", "road"),
    [
        ("上海浦东南路100号", "浦东南路"),
        ("上海市金山大道2000号", "金山大道"),
        ("上海市长宁路1018号", "长宁路"),
    ],
)
def test_a_road_named_after_a_district_is_a_road(address: str, road: str) -> None:
    """浦东南路, 金山大道 and 长宁路 begin with a district's short name but are roads, not districts."""
    parts = READER.read(address)
    assert (parts.district, parts.road) == (None, road)


def _full_width(text: str) -> str:
    """ASCII as a Chinese keyboard types it in full-width mode, with ideographic spaces."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("800 Dongfang Road, Pudong New Area, Shanghai", ("Pudong", "dongfang|||road", "800")),
        ("800 Dongfang Rd, Pudong, Shanghai 200120", ("Pudong", "dongfang|||road", "800")),
        ("No. 800 Dong Fang Lu, Pudong New District", ("Pudong", "dongfang|||road", "800")),
        ("No.1000 Nanjing Rd W, Jing'an District", ("Jing'an", "nanjing|west||road", "1000")),
        ("1000 West Nanjing Road, Jingan", ("Jing'an", "nanjing|west||road", "1000")),
        ("Rm 1201, 88 Zhongshan East 1st Rd, Huangpu", ("Huangpu", "zhongshan|east|1|road", "88")),
        (_full_width("12 Huaihai Middle Road, Huangpu"), ("Huangpu", "huaihai|middle||road", "12")),
        ("Pudong Avenue 1, Shanghai", (None, "pudong|||avenue", "1")),
        ("Changning Dist., Lane 300 Xianxia Rd", ("Changning", "xianxia|||road", "300")),
        ("1000 Nanjing Rd (W), Jing'an District", ("Jing'an", "nanjing|west||road", "1000")),
        ("Nanjing Road (E.) 300, Huangpu", ("Huangpu", "nanjing|east||road", "300")),
        ("88 Sichuan Road \uff08Middle\uff09, Huangpu", ("Huangpu", "sichuan|middle||road", "88")),
    ],
)
def test_english_addresses(address: str, parts: tuple[str | None, ...]) -> None:
    """Road words, their abbreviations and directions before or after the name all read the same way."""
    assert READER.read(address) == AddressParts(*parts)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Zhongshan East 1st Road", "zhongshan|east|1|road"),
        ("Yan'an Middle Road", "yanan|middle||road"),
        ("Cao'an Highway", "caoan|||highway"),
        ("Jiuting Street", "jiuting|||street"),
    ],
)
def test_road_keys_of_gazetteer_names(name: str, key: str) -> None:
    """A gazetteer's English street names reduce to the keys addresses are read into."""
    assert road_key(name) == key


def test_district_keys_cover_long_and_short_names() -> None:
    """浦东新区 is also 浦东; Pudong New Area and Pudong District are both pudong."""
    assert district_keys("浦东新区") == {"浦东新区", "浦东"}
    assert district_keys("Pudong New Area") == district_keys("Pudong District") == {"pudong"}
