"""The console's list of orders to place, where a dispatcher pins each on the map or types its coordinates."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Order
from tests.factories import Network, make_network, order_body, token
from tests.integration.console_helpers import sign_in


@pytest.fixture
def network(app: Flask) -> Network:
    return make_network()


@pytest.fixture
def office(client: FlaskClient, network: Network) -> str:
    """A signed-in dispatcher's CSRF token."""
    return sign_in(client)


def _take_in(client: FlaskClient, address: str, ref: str = "TM-1") -> int:
    headers = token(client, "dispatcher")
    body = order_body(external_ref=ref, site={"address": address})
    response = client.post("/api/v1/orders", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_list_shows_orders_waiting_with_a_map(client: FlaskClient, office: str) -> None:
    """An order nobody could place is listed with its address, a lat/lon form and the map."""
    order_id = _take_in(client, "Nowhere Lane 1")
    page = client.get("/console/orders/unplaced").get_data(as_text=True)
    assert f'data-order-id="{order_id}"' in page and "Nowhere Lane 1" in page
    assert 'id="locate-map"' in page and "vendor/leaflet/leaflet.js" in page
    assert f"/console/orders/{order_id}/location" in page


def test_typed_coordinates_place_the_order(client: FlaskClient, office: str) -> None:
    """Posting lat and lon places the order in the region there and takes it off the list."""
    order_id = _take_in(client, "Nowhere Lane 1")
    response = client.post(
        f"/console/orders/{order_id}/location", data={"lat": "31.19", "lon": "121.44", "csrf_token": office}
    )
    assert response.status_code == 302
    order = db.session.get(Order, order_id)
    assert order is not None and order.region is not None
    assert (order.region.code, order.status, order.location_quality) == ("XH", "ready_to_schedule", "exact")
    page = client.get("/console/orders/unplaced").get_data(as_text=True)
    assert "Every order is placed." in page and f"Order {order_id} placed in XH." in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"lat": "", "lon": "121.44"}, "give a latitude"),
        ({"lat": "39.9", "lon": "116.4"}, "outside every region"),
    ],
)
def test_a_bad_pin_is_explained_and_the_order_keeps_waiting(
    client: FlaskClient, office: str, form: dict[str, str], message: str
) -> None:
    """No number or a point no region serves: a message on the list, and the order still waits."""
    order_id = _take_in(client, "Nowhere Lane 1")
    client.post(f"/console/orders/{order_id}/location", data=form | {"csrf_token": office})
    page = client.get("/console/orders/unplaced").get_data(as_text=True)
    assert message in page
    assert db.session.get(Order, order_id).status == "needs_location"  # type: ignore[union-attr]


def test_the_order_page_of_a_waiting_order_links_to_the_list(client: FlaskClient, office: str) -> None:
    """The order page says the order is not placed yet and where to place it."""
    order_id = _take_in(client, "Nowhere Lane 1")
    response = client.get(f"/console/orders/{order_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "not placed yet" in page and "/console/orders/unplaced" in page


def test_the_board_flags_an_order_found_only_to_its_district(client: FlaskClient, office: str) -> None:
    """An order placed at its district's centre carries a "district only" flag in the queue."""
    order_id = _take_in(client, "上海市徐汇区无名路12号")
    page = client.get("/console/board?region=XH").get_data(as_text=True)
    assert f'data-order-id="{order_id}"' in page and "district only" in page
