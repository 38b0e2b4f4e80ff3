"""Shanghai addresses as customers write them, in Chinese and in English, taken in without coordinates."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.services.geocoding import build_geocoder
from app.services.users import create_user
from routing import BaiduGeocoder, GazetteerGeocoder
from seeds.regions import regions
from tests.factories import PASSWORD, make_product, make_region, make_skill, order_body, token

# At least one address per district, with and without 上海市 or the district, roads the gazetteer knows and
# roads it does not (placed at the district's seat), full-width digits and spaces, building and room numbers,
# and English abbreviations.
ADDRESSES = [
    ("上海市黄浦区南京东路300号", "HP"),
    ("No. 2 Zhongshan East 1st Rd, Huangpu District, Shanghai", "HP"),
    ("上海徐汇区肇嘉浜路1111号美罗城5楼", "XH"),
    ("1 Hengshan Road, Xuhui, Shanghai", "XH"),
    ("上海市 长宁区 仙霞路 99 号", "CN"),
    ("Changning District, 1018 Changning Rd", "CN"),
    ("上海市静安区南京西路1266号恒隆广场", "JA"),
    ("No.88 Yanchang Road, Jing'an District, Shanghai 200072", "JA"),
    ("上海市普陀区金沙江路1518弄2号", "PT"),
    ("上海 普陀 长寿路 100号", "PT"),
    ("上海市虹口区四川北路1666号", "HK"),
    ("Hongkou, 500 Quyang Rd", "HK"),
    ("上海市杨浦区控江路１５００号", "YP"),
    ("220 Handan Road, Yangpu District, Shanghai", "YP"),
    ("上海市闵行区莘庄镇莘松路100号", "MH"),
    ("800 Dongchuan Rd., Minhang Dist., Shanghai", "MH"),
    ("上海市宝山区牡丹江路1500号", "BS"),
    ("宝山区友谊路1号", "BS"),
    ("上海市嘉定区博乐路70号", "JD"),
    ("Jiading, 1 Tacheng Rd", "JD"),
    ("上海市浦东新区东方路800号", "PD"),
    ("上海浦东世纪大道100号", "PD"),
    ("8 Century Avenue, Pudong New Area, Shanghai", "PD"),
    ("上海市金山区卫清西路1号", "JS"),
    ("Jinshan District, 2000 Jinshan Avenue", "JS"),
    ("上海市松江区广富林路658弄12号301室", "SJ"),
    ("100 Rongle Middle Rd, Songjiang", "SJ"),
    ("上海市青浦区盈港东路1000号", "QP"),
    ("88 Huaxu Hwy, Qingpu District", "QP"),
    ("上海市奉贤区解放东路100号", "FX"),
    ("上海市崇明区城桥镇八一路1号", "CM"),
    ("Chongming District, 1 Cuizhu Rd, Shanghai", "CM"),
    ("上海市长阳路1号", "YP"),
    ("Shanghai, 1000 Humin Road", "MH"),
    ("上海市浦东新区航头镇航都路18号", "PD"),
    ("Minhang District, 1 Xinjun Ring Road", "MH"),
]


@pytest.fixture
def city(app: Flask) -> None:
    """The sixteen districts with their real outlines and postal codes, one product and a dispatcher."""
    parent = None
    for seed in regions():
        region = make_region(
            seed.code, polygon=seed.polygon or None, postal_codes=seed.postal_codes, parent=parent
        )
        parent = parent or region
    furniture = make_skill("furniture_assembly")
    make_product("SOFA-3", {"install": (60, 2, [(furniture, 1)])})
    db.session.commit()
    create_user(login="dispatcher", password=PASSWORD, role="dispatcher")


def test_every_district_is_covered() -> None:
    """The list has at least one address per district, thirty in all."""
    assert {code for _, code in ADDRESSES} == {seed.code for seed in regions()} - {"SH"}
    assert len(ADDRESSES) >= 30


def test_every_address_is_taken_in_in_its_district(client: FlaskClient, city: None) -> None:
    """Each address is accepted (201) without coordinates, in the region of the district it names."""
    headers = token(client, "dispatcher")
    placed = []
    for n, (address, _) in enumerate(ADDRESSES):
        body = order_body(external_ref=f"ADDR-{n}", site={"address": address})
        response = client.post("/api/v1/orders", json=body, headers=headers)
        assert response.status_code == 201, (address, response.get_json())
        order = response.get_json()
        placed.append((address, order["region"], order["location_quality"]))
    assert [(address, region) for address, region, _ in placed] == ADDRESSES
    assert {quality for _, _, quality in placed} == {"street", "district"}


def test_the_geocoder_is_chosen_by_configuration() -> None:
    """GEOCODER=baidu with an AK builds the Baidu geocoder, without one it refuses; the default is offline."""
    config = {"GEOCODER": "baidu", "BAIDU_AK": "test-ak", "BAIDU_DOMAIN": "127.0.0.1:9"}
    assert isinstance(build_geocoder(config), BaiduGeocoder)
    with pytest.raises(ValueError, match="API key"):
        build_geocoder(config | {"BAIDU_AK": ""})
    assert isinstance(build_geocoder({"GEOCODER": "gazetteer"}), GazetteerGeocoder)
