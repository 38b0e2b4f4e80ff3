"""Order intake and the dispatcher's order actions over HTTP."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, Event, Order, Site
from app.services.regions import local_today
from routing import GazetteerGeocoder, Place, Point
from tests.factories import make_network, order_body, token

PROBLEM = "application/problem+json"


@pytest.fixture
def network(app: Flask):
    return make_network()


@pytest.fixture
def office(client: FlaskClient, network) -> dict[str, str]:
    return token(client, "dispatcher")


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_intake_derives_region_skills_crew_and_duration(client: FlaskClient, office) -> None:
    """The region comes from the site, the needs from the catalogue; the order is ready to schedule."""
    body = order_body(items=[{"sku": "AC-SPLIT", "qty": 1}, {"sku": "SOFA-3", "qty": 2}])
    response = client.post("/api/v1/orders", json=body, headers=office)
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert order["region"] == "XH"
    assert order["status"] == "ready_to_schedule"
    assert sorted((s["code"], s["level"]) for s in order["required_skills"]) == [
        ("aircon_install", 2),
        ("furniture_assembly", 1),
    ]
    assert order["crew_size"] == 2
    assert order["duration_min"] == 120 + 60 + 45  # the second sofa is quicker
    assert order["volume_l"] == 300 + 2 * 1500
    assert order["customer"]["phone"] == "+8613812345678"
    assert order["booking_token"]
    assert order["sla_due"] > order["earliest_start"]


def test_region_from_polygon_when_postal_code_unknown(client: FlaskClient, office) -> None:
    """Without a known postal code, the point decides."""
    site = {"address": "No. 1, Century Avenue", "lat": 31.20, "lon": 121.55}
    response = client.post("/api/v1/orders", json=order_body(site=site), headers=office)
    assert response.status_code == 201
    assert response.get_json()["region"] == "PD"


def test_region_from_geocoded_address(app: Flask, client: FlaskClient, office) -> None:
    """An address without coordinates is located by the configured geocoder."""
    app.extensions["fieldops.geocoder"] = GazetteerGeocoder(
        [Place("Test Road", "200120", Point(31.2, 121.55))]
    )
    response = client.post(
        "/api/v1/orders", json=order_body(site={"address": "No. 3, Test Road"}), headers=office
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["region"] == "PD" and body["site"]["lat"] == 31.2 and body["site"]["postal_code"] == "200120"


def test_a_chinese_address_without_coordinates_is_taken_in(client: FlaskClient, office) -> None:
    """上海市浦东新区东方路800号 is read by the offline gazetteer and lands in Pudong."""
    site = {"address": "上海市浦东新区东方路800号"}
    response = client.post("/api/v1/orders", json=order_body(site=site), headers=office)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["region"] == "PD" and body["status"] == "ready_to_schedule"
    assert body["location_quality"] == "street"


def test_an_english_address_is_read_too(client: FlaskClient, office) -> None:
    """ "800 Dongfang Road, Pudong New Area, Shanghai" is the same street as 东方路800号."""
    site = {"address": "800 Dongfang Road, Pudong New Area, Shanghai"}
    body = client.post("/api/v1/orders", json=order_body(site=site), headers=office).get_json()
    assert (body["region"], body["location_quality"]) == ("PD", "street")
    assert (body["site"]["lat"], body["site"]["lon"]) == (31.229959, 121.524839)


def test_coordinates_sent_are_exact(client: FlaskClient, office) -> None:
    """An order that comes with lat and lon is exactly located."""
    body = client.post("/api/v1/orders", json=order_body(), headers=office).get_json()
    assert body["location_quality"] == "exact"


def test_a_street_the_gazetteer_lacks_is_placed_in_its_district(client: FlaskClient, office) -> None:
    """An unknown road in a named district is taken in at the district's centre, flagged as district."""
    site = {"address": "上海市徐汇区无名路12号"}
    response = client.post("/api/v1/orders", json=order_body(site=site), headers=office)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["region"], body["location_quality"], body["status"]) == (
        "XH",
        "district",
        "ready_to_schedule",
    )


def _unplaced(client: FlaskClient, headers: dict[str, str], ref: str = "TM-1") -> dict[str, Any]:
    site = {"address": "Nowhere Lane 1"}
    response = client.post("/api/v1/orders", json=order_body(site=site, external_ref=ref), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_address_nobody_can_place_is_taken_in_and_waits(client: FlaskClient, office) -> None:
    """Not even a district: 201, needs_location, no region and no point, and the wait is in the log."""
    order = _unplaced(client, office)
    assert (order["status"], order["region"], order["location_quality"]) == (
        "needs_location",
        None,
        "unknown",
    )
    assert (order["site"]["lat"], order["site"]["lon"]) == (None, None)
    listed = client.get("/api/v1/orders?status=needs_location", headers=office).get_json()
    assert [o["id"] for o in listed] == [order["id"]]
    [event] = db.session.scalars(select(Event).where(Event.order_id == order["id"])).all()
    assert (event.action, event.from_state, event.to_state) == ("await_location", "new", "needs_location")


def test_a_dispatcher_places_a_waiting_order(client: FlaskClient, office) -> None:
    """A pin gives the site its point, the order its region and exact quality, and moves it on, logged."""
    order = _unplaced(client, office)
    response = client.post(
        f"/api/v1/orders/{order['id']}/location", json={"lat": 31.19, "lon": 121.44}, headers=office
    )
    assert response.status_code == 200, response.get_json()
    placed = response.get_json()
    assert (placed["region"], placed["status"], placed["location_quality"]) == (
        "XH",
        "ready_to_schedule",
        "exact",
    )
    assert (placed["site"]["lat"], placed["site"]["lon"]) == (31.19, 121.44)
    events = db.session.scalars(select(Event).where(Event.order_id == order["id"]).order_by(Event.id)).all()
    assert [(e.action, e.to_state) for e in events] == [
        ("await_location", "needs_location"),
        ("locate", "new"),
        ("release", "ready_to_schedule"),
    ]
    again = client.post(
        f"/api/v1/orders/{order['id']}/location", json={"lat": 31.2, "lon": 121.55}, headers=office
    )
    assert again.status_code == 409 and again.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("pin", "field"),
    [({"lat": 39.9, "lon": 116.4}, "site"), ({"lat": 31.19}, "lon"), ({"lat": 95, "lon": 121.4}, "lat")],
)
def test_a_pin_outside_every_region_or_malformed_is_422(
    client: FlaskClient, office, pin: dict, field: str
) -> None:
    """A pin no region serves, or half a pin, is refused and the order keeps waiting."""
    order = _unplaced(client, office)
    response = client.post(f"/api/v1/orders/{order['id']}/location", json=pin, headers=office)
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert (
        client.get(f"/api/v1/orders/{order['id']}", headers=office).get_json()["status"] == "needs_location"
    )


def test_any_dispatcher_sees_a_waiting_order_but_places_it_only_in_their_regions(
    client: FlaskClient, office
) -> None:
    """An order with no region is nobody's yet; a Pudong dispatcher may place it in Pudong, not in Xuhui."""
    order = _unplaced(client, office)
    east = token(client, "east")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=east).status_code == 200
    url = f"/api/v1/orders/{order['id']}/location"
    assert client.post(url, json={"lat": 31.19, "lon": 121.44}, headers=east).status_code == 422
    placed = client.post(url, json={"lat": 31.2, "lon": 121.55}, headers=east)
    assert placed.status_code == 200 and placed.get_json()["region"] == "PD"


def test_a_waiting_order_can_be_cancelled_but_not_held(client: FlaskClient, office) -> None:
    """Holding would let it resume unplaced (409); cancelling is allowed."""
    order = _unplaced(client, office)
    held = client.post(f"/api/v1/orders/{order['id']}/hold", json={"reason": "later"}, headers=office)
    assert held.status_code == 409
    cancelled = client.post(f"/api/v1/orders/{order['id']}/cancel", json={"reason": "wrong"}, headers=office)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"


def test_the_customer_link_of_a_waiting_order_opens_but_cannot_book(client: FlaskClient, office) -> None:
    """The booking link shows the order, with no time zone yet, and offers no slots until it is placed."""
    order = _unplaced(client, office)
    shown = client.get(f"/api/booking/v1/{order['booking_token']}")
    assert shown.status_code == 200, shown.get_json()
    assert (shown.get_json()["bookable"], shown.get_json()["time_zone"]) == (False, None)
    assert client.get(f"/api/booking/v1/{order['booking_token']}/slots").status_code == 409


def test_a_better_location_for_a_known_site_moves_it(client: FlaskClient, office) -> None:
    """The same customer and address again, now with coordinates: the waiting site gets the point."""
    _unplaced(client, office)
    site = {"address": "Nowhere Lane 1", "lat": 31.19, "lon": 121.44}
    second = client.post("/api/v1/orders", json=order_body(external_ref="TM-2", site=site), headers=office)
    assert second.status_code == 201
    assert (second.get_json()["region"], second.get_json()["location_quality"]) == ("XH", "exact")
    assert count(Site) == 1 and db.session.scalar(select(Site.lat)) == 31.19


def test_future_goods_wait_for_arrival(client: FlaskClient, office) -> None:
    """Goods arriving later put the order in awaiting_goods, with the SLA counted from arrival."""
    later = (date.today() + timedelta(days=5)).isoformat()
    response = client.post("/api/v1/orders", json=order_body(earliest_start=later), headers=office)
    assert response.get_json()["status"] == "awaiting_goods"
    assert response.get_json()["sla_due"] > later


def test_every_transition_writes_an_event(client: FlaskClient, office) -> None:
    """Intake, hold and resume each leave who, what, when and the states in the log."""
    order_id = client.post("/api/v1/orders", json=order_body(), headers=office).get_json()["id"]
    client.post(f"/api/v1/orders/{order_id}/hold", json={"reason": "customer travelling"}, headers=office)
    client.post(f"/api/v1/orders/{order_id}/resume", json={"reason": "customer back"}, headers=office)
    events = db.session.scalars(select(Event).where(Event.order_id == order_id).order_by(Event.id)).all()
    assert [(e.action, e.from_state, e.to_state) for e in events] == [
        ("release", "new", "ready_to_schedule"),
        ("hold", "ready_to_schedule", "on_hold"),
        ("resume", "on_hold", "ready_to_schedule"),
    ]
    assert {e.actor_name for e in events} == {"dispatcher"}
    assert events[1].reason == "customer travelling"


def test_same_reference_returns_the_same_order(client: FlaskClient, office) -> None:
    """Sending an order twice is 201 then 200, one order, one customer, one site."""
    first = client.post("/api/v1/orders", json=order_body(), headers=office)
    again = client.post("/api/v1/orders", json=order_body(notes="changed"), headers=office)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["id"] == again.get_json()["id"]
    assert (count(Order), count(Customer), count(Site)) == (1, 1, 1)


def test_a_returning_customer_is_recognised_by_phone(client: FlaskClient, office) -> None:
    """Two orders from the same phone share the customer and, at the same address, the site."""
    client.post("/api/v1/orders", json=order_body(), headers=office)
    client.post("/api/v1/orders", json=order_body(external_ref="TM-2", kind="pickup"), headers=office)
    assert (count(Order), count(Customer), count(Site)) == (2, 1, 1)


YESTERDAY = (date.today() - timedelta(days=2)).isoformat()
BAD_ORDERS = [
    ({"site": {"address": "Somewhere far", "lat": 39.9, "lon": 116.4}}, "site"),
    ({"items": [{"sku": "NOPE", "qty": 1}]}, "items.0.sku"),
    ({"kind": "repair"}, "items.0.sku"),  # the sofa has no repair service in this catalogue
    ({"customer": {"name": "Li", "phone": "12345"}}, "customer.phone"),
    ({"customer": {"name": "Li", "phone": "not a phone"}}, "customer.phone"),
    ({"customer": {"name": "Li", "phone": "13812345678", "email": "nope"}}, "customer.email"),
    ({"earliest_start": YESTERDAY}, "earliest_start"),
    ({"earliest_start": "2026-02-30"}, "earliest_start"),
    ({"kind": "demolish"}, "kind"),
    ({"priority": "asap"}, "priority"),
    ({"items": []}, "items"),
    ({"items": [{"sku": "SOFA-3", "qty": 0}]}, "items.0.qty"),
    ({"site": {"address": "No. 8 Road", "lat": 31.19}}, "site.lon"),
    ({"site": {"address": "No. 8 Road", "lat": 95, "lon": 121.4}}, "site.lat"),
    ({"channel": ""}, "channel"),
    ({"unexpected": 1}, "unexpected"),
]


@pytest.mark.parametrize(("override", "field"), BAD_ORDERS)
def test_bad_orders_are_422_naming_the_field_and_write_nothing(
    client: FlaskClient, office, override: dict, field: str
) -> None:
    """Each bad input gets a 422 problem naming the field, and no row is written."""
    response = client.post("/api/v1/orders", json=order_body(**override), headers=office)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM
    assert field in response.get_json()["errors"], response.get_json()
    assert (count(Order), count(Customer), count(Site), count(Event)) == (0, 0, 0, 0)


@pytest.mark.parametrize("missing", ["channel", "external_ref", "kind", "customer", "site", "items"])
def test_missing_fields_are_422(client: FlaskClient, office, missing: str) -> None:
    """Every required field is named when absent."""
    body = order_body()
    del body[missing]
    response = client.post("/api/v1/orders", json=body, headers=office)
    assert response.status_code == 422
    assert missing in response.get_json()["errors"]


def test_orders_api_refuses_technicians(client: FlaskClient, network) -> None:
    """Technician tokens get 403 on every order endpoint, and nothing is written."""
    headers = token(client, "T001")
    assert client.post("/api/v1/orders", json=order_body(), headers=headers).status_code == 403
    assert client.get("/api/v1/orders/1", headers=headers).status_code == 403
    assert client.post("/api/v1/orders/1/cancel", json={"reason": "x"}, headers=headers).status_code == 403
    assert count(Order) == 0


def test_another_regions_order_is_404(client: FlaskClient, office) -> None:
    """A dispatcher of Pudong cannot see, list, hold or cancel a Xuhui order: it does not exist for them."""
    order_id = client.post("/api/v1/orders", json=order_body(), headers=office).get_json()["id"]
    east = token(client, "east")
    assert client.get(f"/api/v1/orders/{order_id}", headers=east).status_code == 404
    assert (
        client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "x"}, headers=east).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/orders/{order_id}/hold", json={"reason": "x"}, headers=east).status_code == 404
    )
    assert client.get("/api/v1/orders", headers=east).get_json() == []
    # Re-sending the same reference does not reveal the order either.
    assert client.post("/api/v1/orders", json=order_body(), headers=east).status_code == 404
    assert (
        client.get(f"/api/v1/orders/{order_id}", headers=office).get_json()["status"] == "ready_to_schedule"
    )


def test_a_regional_dispatcher_cannot_take_in_orders_elsewhere(client: FlaskClient, network) -> None:
    """An order outside the dispatcher's regions is refused, naming the site."""
    response = client.post("/api/v1/orders", json=order_body(), headers=token(client, "east"))
    assert response.status_code == 422
    assert "site" in response.get_json()["errors"]


def test_cancel_needs_a_reason_and_is_final(client: FlaskClient, office) -> None:
    """Cancel without a reason is 422; a cancelled order cannot be cancelled or held again (409)."""
    order_id = client.post("/api/v1/orders", json=order_body(), headers=office).get_json()["id"]
    missing = client.post(f"/api/v1/orders/{order_id}/cancel", json={}, headers=office)
    assert missing.status_code == 422 and "reason" in missing.get_json()["errors"]
    blank = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "   "}, headers=office)
    assert blank.status_code == 422 and "reason" in blank.get_json()["errors"]
    done = client.post(
        f"/api/v1/orders/{order_id}/cancel", json={"reason": "customer changed mind"}, headers=office
    )
    assert done.status_code == 200 and done.get_json()["status"] == "cancelled"
    for action in ("cancel", "hold"):
        again = client.post(f"/api/v1/orders/{order_id}/{action}", json={"reason": "again"}, headers=office)
        assert again.status_code == 409 and again.mimetype == PROBLEM


def test_unknown_order_is_404(client: FlaskClient, office) -> None:
    """An id that does not exist is a 404 problem."""
    response = client.get("/api/v1/orders/999999", headers=office)
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_list_filters_and_pages(client: FlaskClient, network, office) -> None:
    """Orders filter by status, region and day, and page with X-Pagination."""
    today = local_today(network.west)
    later = (today + timedelta(days=3)).isoformat()
    for n in range(3):
        client.post("/api/v1/orders", json=order_body(external_ref=f"W{n}"), headers=office)
    east_site = {"address": "No. 1, Century Avenue", "lat": 31.20, "lon": 121.55}
    client.post(
        "/api/v1/orders",
        json=order_body(external_ref="E1", site=east_site, earliest_start=later),
        headers=office,
    )

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/v1/orders?{query}", headers=office)
        assert response.status_code == 200, response.get_json()
        return [o["external_ref"] for o in response.get_json()]

    assert ids("region=PD") == ["E1"]
    assert ids("status=awaiting_goods") == ["E1"]
    assert ids(f"date={today.isoformat()}") == ["W2", "W1", "W0"]
    assert ids(f"date={later}") == ["E1", "W2", "W1", "W0"]
    page = client.get("/api/v1/orders?page=2&page_size=3", headers=office)
    assert [o["external_ref"] for o in page.get_json()] == ["W0"]
    assert '"total": 4' in page.headers["X-Pagination"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=lost", "status"), ("date=tomorrow", "date"), ("page=0", "page"), ("region=ZZ", "region")],
)
def test_bad_list_queries_are_422(client: FlaskClient, office, query: str, field: str) -> None:
    """A bad filter names the parameter."""
    response = client.get(f"/api/v1/orders?{query}", headers=office)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_technicians_and_regions(client: FlaskClient, network) -> None:
    """The network endpoints list technicians with skills and regions with time zones, within scope."""
    office = token(client, "dispatcher")
    techs = client.get("/api/v1/technicians", headers=office).get_json()
    assert techs[0]["code"] == "T001" and techs[0]["regions"] == ["XH"]
    assert {(s["code"], s["level"]) for s in techs[0]["skills"]} == {
        ("furniture_assembly", 2),
        ("aircon_install", 2),
    }
    regions = client.get("/api/v1/regions", headers=office).get_json()
    assert [(r["code"], r["time_zone"]) for r in regions] == [
        ("PD", "Asia/Shanghai"),
        ("XH", "Asia/Shanghai"),
    ]
    east = token(client, "east")
    assert client.get("/api/v1/technicians", headers=east).get_json() == []
    assert [r["code"] for r in client.get("/api/v1/regions", headers=east).get_json()] == ["PD"]
