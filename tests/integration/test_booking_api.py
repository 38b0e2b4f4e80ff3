"""The booking API: offers only servable slots, books, reschedules and cancels, and refuses bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Order, Visit, VisitProgress
from app.services.appointments import BookingClosed, book_appointment, cancel_appointment
from app.services.booking import customer_view
from app.services.errors import Invalid
from tests.factories import make_network, make_product, make_slot_templates, token
from tests.integration.booking_network import PROBLEM, new_order, offered

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def network(app: Flask):
    return make_network()


def test_slots_are_servable_best_first_and_within_the_horizon(client: FlaskClient, network) -> None:
    """Slots come best first, in local time with the offset, from tomorrow to the end of the horizon."""
    order = new_order(client)
    slots = offered(client, order["booking_token"])
    assert slots
    grades = [s["grade"] for s in slots]
    assert grades == sorted(grades, reverse=True) and all(0 <= g <= 100 for g in grades)
    today = datetime.now(SHANGHAI).date()
    for slot in slots:
        start = datetime.fromisoformat(slot["start"])
        assert start.utcoffset() == timedelta(hours=8)
        assert today < start.date() <= today + timedelta(days=14)
        assert start.weekday() != 6  # the only technician does not work on Sundays
        assert (start.hour, datetime.fromisoformat(slot["end"]).hour) in {
            (8, 10),
            (10, 12),
            (13, 15),
            (15, 17),
        }


def test_a_regions_own_templates_replace_the_default_slots(client: FlaskClient, network) -> None:
    """A region with active templates of its own is offered those slots only, not the defaults."""
    make_slot_templates(network.west, ["09:00-12:00", "14:00-17:30"])
    make_slot_templates(network.west, ["08:00-10:00"], active=False)
    db.session.commit()
    order = new_order(client)
    slots = offered(client, order["booking_token"])
    spans = {
        (
            datetime.fromisoformat(s["start"]).strftime("%H:%M"),
            datetime.fromisoformat(s["end"]).strftime("%H:%M"),
        )
        for s in slots
    }
    assert spans == {("09:00", "12:00"), ("14:00", "17:30")}


def test_from_and_days_narrow_the_offer(client: FlaskClient, network) -> None:
    """`from` and `days` choose the days offered."""
    order = new_order(client)
    first = datetime.now(SHANGHAI).date() + timedelta(days=3)
    slots = offered(client, order["booking_token"], **{"from": first.isoformat(), "days": 2})
    assert {datetime.fromisoformat(s["start"]).date() for s in slots} <= {first, first + timedelta(days=1)}


def test_booking_creates_a_visit_and_schedules_the_order(client: FlaskClient, network) -> None:
    """A booking makes one booked visit with the promised window and a technician, and schedules the order."""
    order = new_order(client)
    slot = offered(client, order["booking_token"])[0]
    response = client.post(
        f"/api/booking/v1/{order['booking_token']}/appointment", json={"start": slot["start"]}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "scheduled"
    assert body["appointment"]["stage"] == "scheduled"
    assert datetime.fromisoformat(body["appointment"]["start"]) == datetime.fromisoformat(slot["start"])
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order["id"]))
    assert visit is not None and visit.status == "booked"
    assert visit.technician_id == network.technician.id
    assert visit.window_start == datetime.fromisoformat(slot["start"])
    assert visit.window_end == datetime.fromisoformat(slot["end"])
    actions = db.session.scalars(select(Event.action).where(Event.order_id == order["id"]).order_by(Event.id))
    assert list(actions)[-2:] == ["book", "schedule"]


def test_booking_again_reschedules_the_same_visit(client: FlaskClient, network) -> None:
    """A second POST moves the appointment: still one open visit, now in the new window."""
    order = new_order(client)
    url = f"/api/booking/v1/{order['booking_token']}/appointment"
    first, *_ = offered(client, order["booking_token"])
    assert client.post(url, json={"start": first["start"]}).status_code == 201
    other = next(s for s in offered(client, order["booking_token"]) if s["start"] != first["start"])
    response = client.post(url, json={"start": other["start"]})
    assert response.status_code == 201, response.get_json()
    visits = list(db.session.scalars(select(Visit).where(Visit.order_id == order["id"])))
    assert len(visits) == 1 and visits[0].status == "booked"
    assert visits[0].window_start == datetime.fromisoformat(other["start"])
    assert db.session.get(Order, order["id"]).status == "scheduled"
    assert "reschedule" in set(db.session.scalars(select(Event.action).where(Event.order_id == order["id"])))


def test_rescheduling_never_offers_the_slot_already_booked(client: FlaskClient, network) -> None:
    """After booking, the slots offered to move to leave out the one the customer already holds."""
    order = new_order(client)
    booked = offered(client, order["booking_token"])[0]
    url = f"/api/booking/v1/{order['booking_token']}/appointment"
    assert client.post(url, json={"start": booked["start"]}).status_code == 201
    again = offered(client, order["booking_token"])
    assert again
    assert booked["start"] not in {s["start"] for s in again}


def test_cancelling_frees_the_slot(client: FlaskClient, network) -> None:
    """DELETE cancels the visit and the order waits to be booked again; a second DELETE is a conflict."""
    order = new_order(client)
    url = f"/api/booking/v1/{order['booking_token']}/appointment"
    slot = offered(client, order["booking_token"])[0]
    assert client.post(url, json={"start": slot["start"]}).status_code == 201
    response = client.delete(url)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["appointment"] is None
    assert db.session.get(Order, order["id"]).status == "ready_to_schedule"
    assert db.session.scalar(select(Visit.status).where(Visit.order_id == order["id"])) == "cancelled"
    again = client.delete(url)
    assert again.status_code == 409 and again.mimetype == PROBLEM
    assert slot["start"] in {s["start"] for s in offered(client, order["booking_token"])}


def test_a_full_slot_is_not_offered_and_racing_for_it_gets_409_with_alternatives(
    client: FlaskClient, network
) -> None:
    """Once a long job fills the technician's morning, its slots are gone for others; booking one is a 409."""
    make_product("WARDROBE", {"install": (240, 2, [(network.furniture, 1)])})
    db.session.commit()
    headers = token(client, "dispatcher")
    first = new_order(client, headers, external_ref="A", items=[{"sku": "WARDROBE", "qty": 1}])
    second = new_order(client, headers, external_ref="B", items=[{"sku": "WARDROBE", "qty": 1}])
    slot = next(s for s in offered(client, first["booking_token"]) if "T08:00" in s["start"])
    url = "/api/booking/v1/{}/appointment"
    assert client.post(url.format(first["booking_token"]), json={"start": slot["start"]}).status_code == 201
    day = slot["start"][:10]
    # Four hours from 08:00 and lunch leave nothing that starts before noon on that day.
    later = {
        s["start"][11:16] for s in offered(client, second["booking_token"]) if s["start"].startswith(day)
    }
    assert later and later <= {"13:00", "15:00"}
    response = client.post(url.format(second["booking_token"]), json={"start": slot["start"]})
    assert response.status_code == 409 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["slots"] and slot["start"] not in {s["start"] for s in body["slots"]}
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 1


def _shifted(start: str, **delta: float) -> str:
    return (datetime.fromisoformat(start) + timedelta(**delta)).isoformat()


@pytest.mark.parametrize(
    "make_body",
    [
        pytest.param(lambda s: {}, id="no start"),
        pytest.param(lambda s: {"start": "next tuesday"}, id="not a time"),
        pytest.param(lambda s: {"start": s[:19]}, id="no offset"),
        pytest.param(lambda s: {"start": _shifted(s, minutes=30)}, id="not a slot boundary"),
        pytest.param(lambda s: {"start": _shifted(s, hours=1)}, id="unknown slot start"),
        pytest.param(lambda s: {"start": _shifted(s, days=-30)}, id="past slot"),
        pytest.param(lambda s: {"start": _shifted(s, days=60)}, id="beyond the horizon"),
        pytest.param(lambda s: {"start": s, "extra": 1}, id="unknown field"),
        pytest.param(lambda s: ["start", s], id="not an object"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(client: FlaskClient, network, make_body) -> None:
    """Malformed bodies and starts that are not an offered slot get 4xx problem+json and change nothing."""
    order = new_order(client)
    slot = offered(client, order["booking_token"])[0]
    events = db.session.scalar(select(func.count()).select_from(Event))
    response = client.post(
        f"/api/booking/v1/{order['booking_token']}/appointment", json=make_body(slot["start"])
    )
    assert 400 <= response.status_code < 500 and response.status_code != 404
    assert response.mimetype == PROBLEM
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == events


def test_a_body_that_is_not_json_is_refused(client: FlaskClient, network) -> None:
    """A broken JSON body is a 4xx problem+json."""
    order = new_order(client)
    response = client.post(
        f"/api/booking/v1/{order['booking_token']}/appointment", data="{", content_type="application/json"
    )
    assert 400 <= response.status_code < 500 and response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", ""), ("get", "/slots"), ("post", "/appointment"), ("delete", "/appointment")],
)
@pytest.mark.parametrize("kind", ["garbage", "tampered", "revoked", "expired"])
def test_a_bad_or_expired_token_is_404(app: Flask, client: FlaskClient, network, method, path, kind) -> None:
    """Every booking endpoint answers 404 problem+json to a forged, revoked or expired link."""
    order = new_order(client)
    good = order["booking_token"]
    bad = {"garbage": "not-a-token", "tampered": good[:-2] + ("AA" if good[-2:] != "AA" else "BB")}.get(
        kind, good
    )
    if kind == "revoked":
        db.session.get(Order, order["id"]).booking_key = "0" * 16
        db.session.commit()
    if kind == "expired":
        app.config["BOOKING_TOKEN_MAX_AGE_DAYS"] = -1
    kwargs = {"json": {"start": "2030-01-01T08:00:00+08:00"}} if method == "post" else {}
    response = getattr(client, method)(f"/api/booking/v1/{bad}{path}", **kwargs)
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_a_customer_sees_and_books_only_their_own_order(client: FlaskClient, network) -> None:
    """One customer's link shows and books their order and leaves everyone else's alone."""
    headers = token(client, "dispatcher")
    mine = new_order(client, headers, external_ref="MINE")
    theirs = new_order(client, headers, external_ref="THEIRS")
    assert client.get(f"/api/booking/v1/{mine['booking_token']}").get_json()["reference"] == "MINE"
    slot = offered(client, mine["booking_token"])[0]
    client.post(f"/api/booking/v1/{mine['booking_token']}/appointment", json={"start": slot["start"]})
    assert db.session.get(Order, theirs["id"]).status == "ready_to_schedule"
    assert client.get(f"/api/booking/v1/{theirs['booking_token']}").get_json()["appointment"] is None


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_changes_close_at_the_cutoff(client: FlaskClient, network) -> None:
    """The day before at 18:00 local, an appointment can no longer be booked, moved or cancelled on line."""
    order_id = new_order(client)["id"]
    day = datetime.now(SHANGHAI).date() + timedelta(days=4)
    if day.weekday() == 6:
        day += timedelta(days=1)
    before, after = _local(day - timedelta(days=1), 17, 59), _local(day - timedelta(days=1), 18, 1)
    with pytest.raises(Invalid):
        book_appointment(order=db.session.get(Order, order_id), start=_local(day, 8), now=after)
    book_appointment(order=db.session.get(Order, order_id), start=_local(day, 8), now=before)
    with pytest.raises(BookingClosed):
        book_appointment(order=db.session.get(Order, order_id), start=_local(day, 10), now=after)
    with pytest.raises(BookingClosed):
        cancel_appointment(order=db.session.get(Order, order_id), now=after)
    order = db.session.get(Order, order_id)
    assert customer_view(order, now=after)["appointment"]["changeable"] is False
    cancel_appointment(order=order, now=before)
    assert db.session.get(Order, order_id).status == "ready_to_schedule"


def test_progress_shows_the_technician_on_the_way(client: FlaskClient, network) -> None:
    """Under way, the customer sees the stage and, on the way, the phone's ETA or else the planned arrival."""
    order = new_order(client)
    slot = offered(client, order["booking_token"])[0]
    client.post(f"/api/booking/v1/{order['booking_token']}/appointment", json={"start": slot["start"]})
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order["id"]))
    visit.status = "en_route"
    visit.planned_arrival = datetime.fromisoformat(slot["start"]) + timedelta(minutes=20)
    db.session.commit()
    body = client.get(f"/api/booking/v1/{order['booking_token']}").get_json()
    assert body["appointment"]["stage"] == "on_the_way"
    assert datetime.fromisoformat(body["appointment"]["eta"]) == visit.planned_arrival
    phone_eta = visit.planned_arrival + timedelta(minutes=7)
    db.session.add(VisitProgress(visit_id=visit.id, confirmation_code="123456", eta=phone_eta))
    db.session.commit()
    body = client.get(f"/api/booking/v1/{order['booking_token']}").get_json()
    assert datetime.fromisoformat(body["appointment"]["eta"]) == phone_eta
    assert body["bookable"] is False
    response = client.post(
        f"/api/booking/v1/{order['booking_token']}/appointment", json={"start": slot["start"]}
    )
    assert response.status_code == 409
