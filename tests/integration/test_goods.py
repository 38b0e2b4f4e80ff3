"""Goods arrival: the seller's logistics reports release orders, move their first slot, and are logged."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Order
from tests.factories import make_network, token
from tests.integration.booking_network import PROBLEM, new_order, offered
from tests.integration.console_helpers import sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def network(app: Flask):
    return make_network()


@pytest.fixture
def office(client: FlaskClient, network) -> dict[str, str]:
    return token(client, "dispatcher")


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _report(client: FlaskClient, order_id: int, body: Any, headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/orders/{order_id}/goods", json=body, headers=headers)


def _goods_events(order_id: int) -> list[Event]:
    query = select(Event).where(Event.order_id == order_id, Event.action.like("goods_%")).order_by(Event.id)
    return list(db.session.scalars(query))


def test_delivered_releases_an_order_awaiting_goods(client: FlaskClient, office) -> None:
    """`delivered` moves an order from awaiting_goods to ready_to_schedule and logs that one step."""
    later = (_today() + timedelta(days=4)).isoformat()
    order = new_order(client, office, earliest_start=later)
    assert order["status"] == "awaiting_goods"
    response = _report(client, order["id"], {"status": "delivered"}, office)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == order["id"] and body["status"] == "ready_to_schedule"
    assert body["goods_status"] == "delivered"
    [event] = _goods_events(order["id"])
    assert (event.action, event.from_state, event.to_state) == (
        "goods_delivered",
        "awaiting_goods",
        "ready_to_schedule",
    )
    assert event.subject == "order" and event.actor_name == "dispatcher"


def test_delivered_twice_is_one_transition(client: FlaskClient, office) -> None:
    """The same delivery reported again answers 200 with the order and records nothing more."""
    later = (_today() + timedelta(days=4)).isoformat()
    order = new_order(client, office, earliest_start=later)
    first = _report(client, order["id"], {"status": "delivered"}, office)
    again = _report(client, order["id"], {"status": "delivered"}, office)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json()["status"] == "ready_to_schedule"
    assert len(_goods_events(order["id"])) == 1
    transitions = db.session.scalars(
        select(Event).where(Event.order_id == order["id"], Event.to_state == "ready_to_schedule")
    ).all()
    assert len(transitions) == 1


def test_delivered_on_an_order_past_waiting_records_it_and_changes_nothing_else(
    client: FlaskClient, office
) -> None:
    """An order already ready keeps its status; the delivery is still on its record."""
    order = new_order(client, office)
    assert order["status"] == "ready_to_schedule"
    response = _report(client, order["id"], {"status": "delivered"}, office)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "ready_to_schedule"
    [event] = _goods_events(order["id"])
    assert (event.action, event.from_state, event.to_state) == ("goods_delivered", None, None)


@pytest.mark.parametrize(
    "body", [{"status": "delivered"}, {"status": "in_transit", "expected": "2100-01-01"}]
)
def test_a_cancelled_order_refuses_goods_reports(client: FlaskClient, office, body) -> None:
    """A cancelled order answers 409 and nothing is recorded."""
    order = new_order(client, office)
    client.post(
        f"/api/v1/orders/{order['id']}/cancel", json={"reason": "customer changed mind"}, headers=office
    )
    response = _report(client, order["id"], body, office)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert _goods_events(order["id"]) == []


def test_in_transit_with_a_later_date_moves_the_first_offered_slot(client: FlaskClient, office) -> None:
    """A slipping delivery date moves earliest_start, and no slot is offered before the goods arrive."""
    order = new_order(client, office)
    before = offered(client, order["booking_token"])
    expected = _today() + timedelta(days=6)
    assert min(datetime.fromisoformat(s["start"]).date() for s in before) < expected
    response = _report(
        client, order["id"], {"status": "in_transit", "expected": expected.isoformat()}, office
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["earliest_start"] == expected.isoformat()
    assert (body["goods_status"], body["goods_expected_on"]) == ("in_transit", expected.isoformat())
    after = offered(client, order["booking_token"])
    assert after and min(datetime.fromisoformat(s["start"]).date() for s in after) >= expected
    [event] = _goods_events(order["id"])
    assert event.action == "goods_in_transit" and event.data["expected"] == expected.isoformat()


def test_the_order_page_history_reads_the_goods_reports(client: FlaskClient, office) -> None:
    """The console's history shows each goods report, its expected day and the earliest start it moved."""
    order = new_order(client, office)
    expected = (_today() + timedelta(days=6)).isoformat()
    _report(client, order["id"], {"status": "in_transit", "expected": expected}, office)
    _report(client, order["id"], {"status": "delivered"}, office)
    sign_in(client)
    page = client.get(f"/console/orders/{order['id']}").get_data(as_text=True)
    assert 'data-action="goods_in_transit"' in page and 'data-action="goods_delivered"' in page
    assert "order goods in transit" in page and "order goods delivered" in page
    assert f"expected {expected}" in page
    assert f"earliest start {order['earliest_start']} → {expected}" in page
    assert f"earliest start {expected} → {_today().isoformat()}" in page


def test_in_transit_with_an_earlier_date_keeps_earliest_start(client: FlaskClient, office) -> None:
    """Goods expected before the order's earliest start store the date and move nothing."""
    later = _today() + timedelta(days=8)
    order = new_order(client, office, earliest_start=later.isoformat())
    expected = (_today() + timedelta(days=3)).isoformat()
    response = _report(client, order["id"], {"status": "in_transit", "expected": expected}, office)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["earliest_start"]) == ("awaiting_goods", later.isoformat())
    assert body["goods_expected_on"] == expected


def test_the_same_in_transit_report_twice_is_recorded_once(client: FlaskClient, office) -> None:
    """An identical in_transit report changes nothing the second time; a new date is a new event."""
    order = new_order(client, office)
    first = {"status": "in_transit", "expected": (_today() + timedelta(days=3)).isoformat()}
    second = {"status": "in_transit", "expected": (_today() + timedelta(days=5)).isoformat()}
    for body in (first, first, second):
        assert _report(client, order["id"], body, office).status_code == 200
    assert [e.data["expected"] for e in _goods_events(order["id"])] == [first["expected"], second["expected"]]


def _bad_bodies() -> list[Any]:
    yesterday = (_today() - timedelta(days=1)).isoformat()
    return [
        pytest.param({"status": "lost"}, "status", id="unknown status"),
        pytest.param({"status": "in_transit"}, "expected", id="missing expected"),
        pytest.param({"status": "in_transit", "expected": yesterday}, "expected", id="past date"),
        pytest.param({"status": "deliv\x00ered"}, "status", id="NUL"),
        pytest.param({"status": "in_transit", "expected": "2026-02-30"}, "expected", id="no such day"),
        pytest.param(
            {"status": "delivered", "expected": "2100-01-01"}, "expected", id="expected on delivery"
        ),
    ]


@pytest.mark.parametrize(("body", "field"), _bad_bodies())
def test_bad_reports_are_422_naming_the_field_and_change_nothing(
    client: FlaskClient, office, body: Any, field: str
) -> None:
    """Each bad report is problem+json naming its field; the order and its log stay as they were."""
    later = (_today() + timedelta(days=4)).isoformat()
    order = new_order(client, office, earliest_start=later)
    response = _report(client, order["id"], body, office)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]
    _assert_untouched(order)


def _assert_untouched(order: dict[str, Any]) -> None:
    db.session.expire_all()
    stored = db.session.get(Order, order["id"])
    assert (stored.status, stored.earliest_start.isoformat()) == (order["status"], order["earliest_start"])
    assert stored.goods_status is None and stored.goods_expected_on is None
    assert _goods_events(order["id"]) == []


def test_another_regions_order_is_not_found(client: FlaskClient, office) -> None:
    """A dispatcher limited to another region gets 404 and changes nothing."""
    order = new_order(client, office, earliest_start=(_today() + timedelta(days=4)).isoformat())
    east = token(client, "east")
    response = _report(client, order["id"], {"status": "delivered"}, east)
    assert response.status_code == 404 and response.mimetype == PROBLEM
    _assert_untouched(order)


def test_technicians_may_not_report_goods(client: FlaskClient, office) -> None:
    """A technician's token is 403 on the goods endpoint, and nothing changes."""
    order = new_order(client, office, earliest_start=(_today() + timedelta(days=4)).isoformat())
    response = _report(client, order["id"], {"status": "delivered"}, token(client, "T001"))
    assert response.status_code == 403 and response.mimetype == PROBLEM
    _assert_untouched(order)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_concurrent_deliveries_release_the_order_once(app: Flask, office) -> None:
    """Ten identical delivery reports at once: all 200, one transition, one event."""
    order = new_order(app.test_client(), office, earliest_start=(_today() + timedelta(days=4)).isoformat())
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(_report(client, order["id"], {"status": "delivered"}, office).status_code)

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.remove()
    assert statuses == [200] * 10
    assert len(_goods_events(order["id"])) == 1
    assert db.session.get(Order, order["id"]).status == "ready_to_schedule"
