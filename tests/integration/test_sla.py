"""Service-level clocks over HTTP: due in business time, paused by holds and goods, stopped, warned, breached.

The log's times are set by moving an order's newest rows to a chosen moment (as if they had been written
then), and the moment the clocks are read at is frozen, so that the expected times do not depend on today.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Event, Order, OrderClock
from app.services.order_clocks import refresh_clocks, refresh_due_clocks
from app.tasks import refresh_due_clocks_task
from tests.factories import make_network, token
from tests.integration.after_sales import served, survey
from tests.integration.booking_network import new_order, offered
from tests.integration.mobile_day import make_crew

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 11, 13, tzinfo=SHANGHAI)  # an ordinary working Friday on the mainland calendar


def local(day: datetime, hour: int, minute: int = 0, days: int = 0) -> datetime:
    """A wall-clock time in Shanghai, `days` after `day`."""
    return (day + timedelta(days=days)).replace(hour=hour, minute=minute)


class Timeline:
    """Puts an order's newest log rows at chosen moments, and the clocks' `now` with them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = local(FRIDAY, 11)
        self.stamped = 0
        monkeypatch.setattr("app.services.order_clocks.utcnow", lambda: self.now)

    def at(self, order_id: int, moment: datetime) -> None:
        """The rows logged since the last call happened at `moment`, and it is now that moment."""
        # A bulk update bypasses the log's append-only guard: only a test rewrites history.
        db.session.execute(
            update(Event).where(Event.order_id == order_id, Event.id > self.stamped).values(at=moment),
            execution_options={"synchronize_session": False},
        )
        self.stamped = db.session.scalar(select(func.max(Event.id))) or 0
        self.later(order_id, moment)

    def later(self, order_id: int, moment: datetime) -> None:
        """Time passes to `moment` with nothing logged; the order's clocks are recomputed as of then."""
        self.now = moment
        db.session.expire_all()
        order = db.session.get(Order, order_id)
        assert order is not None
        refresh_clocks(order, now=moment)
        db.session.commit()


@pytest.fixture
def network(app: Flask):
    return make_network()


@pytest.fixture
def office(client: FlaskClient, network) -> dict[str, str]:
    return token(client, "dispatcher")


@pytest.fixture
def timeline(monkeypatch: pytest.MonkeyPatch) -> Timeline:
    return Timeline(monkeypatch)


def sla(client: FlaskClient, order_id: int, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The order page's clocks by target."""
    response = client.get(f"/api/v1/orders/{order_id}", headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["recall_of"] is None
    return {clock["target"]: clock for clock in body["sla"]}


def due(clock: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(clock["due_at"]).astimezone(SHANGHAI)


def received(client: FlaskClient, office: dict[str, str], timeline: Timeline, **overrides: Any) -> int:
    """An urgent install taken in on Friday at 11:00."""
    order = new_order(client, office, priority="urgent", **overrides)
    timeline.at(order["id"], local(FRIDAY, 11))
    return order["id"]


def test_a_new_order_runs_response_and_resolution_in_business_time(client, office, timeline) -> None:
    """Response (4 h) skips lunch, resolution (2 days) skips the weekend; arrival waits for an appointment."""
    order_id = received(client, office, timeline)
    clocks = sla(client, order_id, office)
    assert set(clocks) == {"response", "resolution"}
    assert {c["status"] for c in clocks.values()} == {"running"}
    assert due(clocks["response"]) == local(FRIDAY, 16)  # 11-12, lunch, 13-16
    assert due(clocks["resolution"]) == local(FRIDAY, 11, days=4)  # Fri 6 h, Mon 8 h, Tue 9-11
    assert clocks["response"]["paused_s"] == 0


def test_a_hold_pauses_and_resuming_moves_the_due_time_later(client, office, timeline) -> None:
    """Held from Friday 14:00 to Monday 10:00: 5 business hours paused, response due Monday 12:00."""
    order_id = received(client, office, timeline)
    held = client.post(f"/api/v1/orders/{order_id}/hold", json={"reason": "customer away"}, headers=office)
    assert held.status_code == 200, held.get_json()
    timeline.at(order_id, local(FRIDAY, 14))
    timeline.later(order_id, local(FRIDAY, 15))
    clocks = sla(client, order_id, office)
    assert clocks["response"]["status"] == "paused" and clocks["response"]["paused_s"] == 3600
    resumed = client.post(f"/api/v1/orders/{order_id}/resume", json={"reason": "back"}, headers=office)
    assert resumed.status_code == 200, resumed.get_json()
    timeline.at(order_id, local(FRIDAY, 10, days=3))
    clocks = sla(client, order_id, office)
    assert clocks["response"]["status"] == "running"
    assert clocks["response"]["paused_s"] == 5 * 3600
    assert due(clocks["response"]) == local(FRIDAY, 12, days=3)  # 2 h left at 10:00


def test_waiting_for_goods_pauses_until_they_are_delivered(client, office, timeline) -> None:
    """An order received awaiting goods runs nothing until delivery on Monday 9:00; then 4 h to 14:00."""
    later = (datetime.now(SHANGHAI).date() + timedelta(days=4)).isoformat()
    order_id = received(client, office, timeline, earliest_start=later)
    clocks = sla(client, order_id, office)
    assert clocks["response"]["status"] == "paused" and clocks["resolution"]["status"] == "paused"
    response = client.post(f"/api/v1/orders/{order_id}/goods", json={"status": "delivered"}, headers=office)
    assert response.status_code == 200, response.get_json()
    timeline.at(order_id, local(FRIDAY, 9, days=3))
    clocks = sla(client, order_id, office)
    assert clocks["response"]["status"] == "running"
    assert clocks["response"]["paused_s"] == 6 * 3600  # Friday 11:00-18:00 less lunch
    assert due(clocks["response"]) == local(FRIDAY, 14, days=3)


def test_booking_an_appointment_meets_response_and_starts_arrival(client, office, timeline) -> None:
    """A customer's booking at 12:00 stops response as met; arrival is due at the booked window's end."""
    order = new_order(client, office, priority="urgent")
    timeline.at(order["id"], local(FRIDAY, 11))
    slot = offered(client, order["booking_token"])[0]
    booked = client.post(
        f"/api/booking/v1/{order['booking_token']}/appointment", json={"start": slot["start"]}
    )
    assert booked.status_code in (200, 201), booked.get_json()
    timeline.at(order["id"], local(FRIDAY, 12))
    clocks = sla(client, order["id"], office)
    assert clocks["response"]["status"] == "met"
    assert clocks["arrival"]["status"] == "running"
    assert due(clocks["arrival"]) == datetime.fromisoformat(slot["end"])
    assert clocks["resolution"]["status"] == "running"


def test_a_booking_records_the_earliest_slot_offered(client, office) -> None:
    """Choosing a later day than the first offered logs the first, for the customer-chose-later pause."""
    order = new_order(client, office)
    slots = offered(client, order["booking_token"])
    first = min(datetime.fromisoformat(s["start"]) for s in slots)
    later = max(slots, key=lambda s: s["start"])
    assert datetime.fromisoformat(later["start"]) > first
    booked = client.post(
        f"/api/booking/v1/{order['booking_token']}/appointment", json={"start": later["start"]}
    )
    assert booked.status_code in (200, 201), booked.get_json()
    row = db.session.scalar(select(Event).filter_by(order_id=order["id"], subject="visit", action="book"))
    assert row is not None and datetime.fromisoformat(row.data["earliest_offered"]) == first


def test_a_slow_order_warns_then_breaches_and_is_listed_at_risk(client, office, timeline) -> None:
    """The minute task stores warning an hour before response is due and breached after; at-risk lists it."""
    order_id = received(client, office, timeline)
    assert _stored(order_id, "response").status == "running"
    assert client.get("/api/v1/sla/at-risk", headers=office).get_json()["items"] == []
    timeline.now = local(FRIDAY, 15, 30)
    assert refresh_due_clocks(now=timeline.now) == 1
    assert _stored(order_id, "response").status == "warning"
    items = client.get("/api/v1/sla/at-risk", query_string={"region": "XH"}, headers=office).get_json()[
        "items"
    ]
    assert [(i["order_id"], i["target"], i["status"]) for i in items] == [(order_id, "response", "warning")]
    timeline.now = local(FRIDAY, 16, 1)
    refresh_due_clocks(now=timeline.now)
    stored = _stored(order_id, "response")
    assert (stored.status, stored.next_alert_at) == ("breached", None)
    items = client.get("/api/v1/sla/at-risk", headers=office).get_json()["items"]
    assert items[0]["status"] == "breached" and due(items[0]) == local(FRIDAY, 16)


def test_the_queue_refreshes_clocks_every_minute(client, office, timeline) -> None:
    """The periodic task stores the breach of a clock nothing was logged on (immediate here)."""
    order_id = received(client, office, timeline)
    timeline.now = local(FRIDAY, 16, 1)
    refresh_due_clocks_task()
    assert _stored(order_id, "response").status == "breached"


def test_status_is_read_as_of_the_request(client, office, timeline) -> None:
    """A stored running clock whose warning time has passed shows as warning before any task runs."""
    order_id = received(client, office, timeline)
    timeline.now = local(FRIDAY, 15, 30)
    assert _stored(order_id, "response").status == "running"
    assert sla(client, order_id, office)["response"]["status"] == "warning"
    timeline.now = local(FRIDAY, 16, 30)
    assert sla(client, order_id, office)["response"]["status"] == "breached"


def test_another_regions_dispatcher_does_not_see_the_clock(client, office, timeline) -> None:
    """A dispatcher of the east region gets no west order at risk."""
    order_id = received(client, office, timeline)
    timeline.now = local(FRIDAY, 17)
    mine = client.get("/api/v1/sla/at-risk", headers=office).get_json()["items"]
    assert order_id in {item["order_id"] for item in mine}
    east = token(client, "east")
    assert client.get("/api/v1/sla/at-risk", headers=east).get_json()["items"] == []


def test_an_unknown_region_is_refused(client, office) -> None:
    """Asking for a region that does not exist is 422, not an empty list."""
    response = client.get("/api/v1/sla/at-risk", query_string={"region": "NOPE"}, headers=office)
    assert response.status_code == 422


def test_completed_work_the_customer_says_is_solved_meets_resolution(app: Flask, client: FlaskClient) -> None:
    """Resolution runs on after completion until the customer's survey says solved; then it is met."""
    crew = make_crew(client)
    order = served(app, crew)
    assert sla(client, order.order_id, crew.office)["resolution"]["status"] == "running"
    assert survey(client, order.token).status_code == 201
    assert sla(client, order.order_id, crew.office)["resolution"]["status"] == "met"


def _stored(order_id: int, target: str) -> OrderClock:
    db.session.expire_all()
    clock = db.session.scalar(select(OrderClock).filter_by(order_id=order_id, target=target))
    assert clock is not None
    return clock
