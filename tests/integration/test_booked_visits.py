"""Visits customers booked, before a plan is published: on the board and in the day API, not on the phone."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Visit
from tests.factories import Network, make_network, make_product, token
from tests.integration.booking_network import new_order, offered
from tests.integration.console_helpers import sign_in
from tests.integration.mobile_day import ZONE, event, post_event, published_visit


@pytest.fixture
def network(app: Flask) -> Network:
    net = make_network()
    make_product("WASHER", {"install": (30, 1, [(net.furniture, 1)])})  # what published_visit orders
    db.session.commit()
    return net


def book(client: FlaskClient, ref: str, start: str | None = None) -> tuple[dict[str, Any], Visit]:
    """An order taken in and booked by its customer, in the best slot or the one starting at `start`."""
    order = new_order(client, external_ref=ref)
    slots = offered(client, order["booking_token"])
    start = start or slots[0]["start"]
    assert start in {s["start"] for s in slots}
    url = f"/api/booking/v1/{order['booking_token']}/appointment"
    response = client.post(url, json={"start": start})
    assert response.status_code == 201, response.get_json()
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order["id"]))
    assert visit is not None and visit.status == "booked" and visit.technician_id is not None
    assert visit.planned_arrival is None  # no plan has placed it yet
    return order, visit


def technician_day(client: FlaskClient, technician_id: int, day: date) -> list[dict[str, Any]]:
    headers = token(client, "dispatcher")
    response = client.get(f"/api/v1/technicians/{technician_id}/day?date={day}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["visits"]


def test_a_booked_visit_is_in_its_technicians_day(client: FlaskClient, network: Network) -> None:
    """The technician-day API lists a booked visit, inside its window, before any plan is published."""
    order, visit = book(client, "B-1")
    (listed,) = technician_day(client, network.technician.id, visit.day)
    assert (listed["visit_id"], listed["order_id"], listed["status"]) == (visit.id, order["id"], "booked")
    start, end = datetime.fromisoformat(listed["start"]), datetime.fromisoformat(listed["end"])
    window = datetime.fromisoformat(listed["window_start"]), datetime.fromisoformat(listed["window_end"])
    assert window[0] <= start <= window[1]
    assert end - start == timedelta(minutes=visit.order.duration_min)
    assert start.utcoffset() == timedelta(hours=8)


def test_two_bookings_in_one_window_do_not_overlap(client: FlaskClient, network: Network) -> None:
    """Two customers booked into the same window of one technician are shown one after the other."""
    _, first = book(client, "B-1")
    window = first.window_start.isoformat()
    second_order = new_order(client, external_ref="B-2")
    starts = {datetime.fromisoformat(s["start"]) for s in offered(client, second_order["booking_token"])}
    if first.window_start not in starts:
        pytest.skip("the window has no room for a second visit")
    response = client.post(
        f"/api/booking/v1/{second_order['booking_token']}/appointment", json={"start": window}
    )
    assert response.status_code == 201, response.get_json()
    listed = technician_day(client, network.technician.id, first.day)
    assert [v["status"] for v in listed] == ["booked", "booked"]
    spans = [(datetime.fromisoformat(v["start"]), datetime.fromisoformat(v["end"])) for v in listed]
    assert spans == sorted(spans)
    assert spans[0][1] <= spans[1][0]


def test_the_board_draws_a_booked_visit_on_its_technicians_row(client: FlaskClient, network: Network) -> None:
    """The board has the booked visit on the technician's row, coloured as booked, and not in the queue."""
    order, visit = book(client, "B-1")
    sign_in(client)
    data = client.get(f"/console/api/board?region=XH&date={visit.day}").get_json()
    (drawn,) = [v for v in data["visits"] if v["order_id"] == order["id"]]
    assert (drawn["id"], drawn["status"]) == (visit.id, "booked")
    assert drawn["technician_id"] == network.technician.id
    assert drawn["placed"] is False
    assert datetime.fromisoformat(drawn["window_start"]) <= datetime.fromisoformat(drawn["start"])
    assert order["id"] not in [u["order_id"] for u in data["unassigned"]]
    page = client.get(f"/console/board?region=XH&date={visit.day}").get_data(as_text=True)
    assert "status-booked" in page  # the legend's colour, which the board's items use too


def test_a_booked_visit_without_a_technician_waits_in_the_queue_as_booked(
    app: Flask, client: FlaskClient, network: Network
) -> None:
    """A promised window nobody holds yet is in the unassigned queue, marked as booked, with its window."""
    day = datetime.now(ZONE).date() + timedelta(days=2)
    visit = published_visit(app, network.technician, day=day, status="booked")
    assert visit.technician_id is None
    sign_in(client)
    data = client.get(f"/console/api/board?region=XH&date={day}").get_json()
    (queued,) = [u for u in data["unassigned"] if u["order_id"] == visit.order_id]
    assert (queued["visit_id"], queued["visit_status"]) == (visit.id, "booked")
    assert datetime.fromisoformat(queued["window_start"]) == visit.window_start
    page = client.get(f"/console/board?region=XH&date={day}").get_data(as_text=True)
    assert 'class="chip status-booked"' in page.split('id="queue"')[1]


def test_a_booked_visit_stays_off_the_phone_until_dispatched(client: FlaskClient, network: Network) -> None:
    """The technician sees a booked visit only once a plan or a dispatcher has dispatched it."""
    _, visit = book(client, "B-1")
    phone = token(client, "T001")
    listed = client.get(f"/api/mobile/v1/visits?date={visit.day}", headers=phone).get_json()
    assert listed == []
    assert client.get(f"/api/mobile/v1/visits/{visit.id}", headers=phone).status_code == 404
    assert post_event(client, phone, visit.id, event("accept")).status_code == 404
    db.session.refresh(visit)
    assert visit.status == "booked"
