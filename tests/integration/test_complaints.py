"""Complaints: opened by the office or the customer, seen only in the caller's regions, worked to a close."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Event
from tests.factories import token
from tests.integration.after_sales import Served, counts, served
from tests.integration.booking_network import PROBLEM
from tests.integration.mobile_day import Crew, make_crew

URL = "/api/v1/complaints"


@pytest.fixture
def crew(client: FlaskClient) -> Crew:
    return make_crew(client)


@pytest.fixture
def order(app: Flask, crew: Crew) -> Served:
    return served(app, crew)


def open_one(client: FlaskClient, crew: Crew, order: Served, **changes: Any) -> dict[str, Any]:
    """Open a complaint as the dispatcher and return it."""
    body = {
        "order_id": order.order_id,
        "category": "damage",
        "severity": "high",
        "description": "Scratched floor",
    }
    response = client.post(URL, json={**body, **changes}, headers=crew.office)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def patch(client: FlaskClient, crew: Crew, complaint_id: int, **body: Any) -> Any:
    """PATCH a complaint as the dispatcher."""
    return client.patch(f"{URL}/{complaint_id}", json=body, headers=crew.office)


def test_a_dispatcher_opens_a_complaint(client: FlaskClient, crew: Crew, order: Served) -> None:
    """A new complaint is open, from a dispatcher, on its order, and logged there."""
    complaint = open_one(client, crew, order)
    assert (complaint["status"], complaint["source"], complaint["order_id"]) == (
        "open",
        "dispatcher",
        order.order_id,
    )
    assert (complaint["region"], complaint["reopen_count"], complaint["fault"]) == ("XH", 0, None)
    shown = client.get(f"{URL}/{complaint['id']}", headers=crew.office)
    assert shown.status_code == 200 and shown.get_json() == complaint
    logged = db.session.scalars(select(Event).where(Event.subject == "complaint")).all()
    assert [(e.action, e.actor_name, e.data["complaint_id"]) for e in logged] == [
        ("open", "dispatcher", complaint["id"])
    ]


def test_the_customer_complains_from_their_link(client: FlaskClient, crew: Crew, order: Served) -> None:
    """The customer's complaint is answered with its id and status and appears in the office's list."""
    response = client.post(
        f"/api/booking/v1/{order.token}/complaint",
        json={"description": "Still leaking", "category": "unresolved"},
    )
    assert response.status_code == 201
    assert set(response.get_json()) == {"id", "status"} and response.get_json()["status"] == "open"
    listed = client.get(URL, query_string={"order_id": order.order_id}, headers=crew.office).get_json()[
        "items"
    ]
    assert [(c["id"], c["source"], c["category"]) for c in listed] == [
        (response.get_json()["id"], "customer", "unresolved")
    ]


def test_a_customer_token_reaches_only_its_own_order(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """A forged or altered token is 404, and a valid one always complains about its own order."""
    mine, theirs = served(app, crew), served(app, crew)
    for bad in ("forged", mine.token[:-2] + "xx"):
        response = client.post(f"/api/booking/v1/{bad}/complaint", json={"description": "x"})
        assert response.status_code == 404 and response.mimetype == PROBLEM
    client.post(f"/api/booking/v1/{mine.token}/complaint", json={"description": "mine"})
    listed = client.get(URL, headers=crew.office).get_json()["items"]
    assert [c["order_id"] for c in listed] == [mine.order_id] and theirs.order_id != mine.order_id


def test_another_regions_dispatcher_sees_none_of_it(client: FlaskClient, crew: Crew, order: Served) -> None:
    """A dispatcher of another region gets 404 for the complaint and its order, and an empty list."""
    complaint = open_one(client, crew, order)
    east = token(client, "east")
    before = counts()
    assert client.get(f"{URL}/{complaint['id']}", headers=east).status_code == 404
    assert (
        client.patch(f"{URL}/{complaint['id']}", json={"status": "acknowledged"}, headers=east).status_code
        == 404
    )
    body = {"order_id": order.order_id, "category": "damage", "severity": "low", "description": "x"}
    assert client.post(URL, json=body, headers=east).status_code == 404
    assert client.get(URL, headers=east).get_json() == {"items": []}
    assert counts() == before


def test_the_list_filters_by_status_and_region(client: FlaskClient, crew: Crew, order: Served) -> None:
    """Filters narrow the list; an unknown region is 422."""
    first, second = open_one(client, crew, order), open_one(client, crew, order)
    patch(client, crew, first["id"], status="acknowledged")

    def ids(**query: Any) -> list[int]:
        return [c["id"] for c in client.get(URL, query_string=query, headers=crew.office).get_json()["items"]]

    assert ids() == [second["id"], first["id"]]
    assert ids(status="open") == [second["id"]]
    assert ids(region="XH", status="acknowledged") == [first["id"]]
    assert ids(region="PD") == []
    assert client.get(URL, query_string={"region": "ZZ"}, headers=crew.office).status_code == 422


def test_a_complaint_goes_through_its_life_and_counts_reopenings(
    client: FlaskClient, crew: Crew, order: Served
) -> None:
    """open -> acknowledged -> resolved -> closed -> open again, each step logged, reopenings counted."""
    complaint = open_one(client, crew, order)
    steps = [
        {"status": "acknowledged", "fault": "technician", "root_cause": "Drill slipped"},
        {"status": "resolved", "resolution": "Floor repaired"},
        {"status": "open"},
        {"status": "acknowledged"},
        {"status": "resolved"},
        {"status": "closed"},
        {"status": "open"},
    ]
    for body in steps:
        response = patch(client, crew, complaint["id"], **body)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["status"] == body["status"]
    final = response.get_json()
    assert (final["reopen_count"], final["fault"], final["resolution"]) == (2, "technician", "Floor repaired")
    assert final["acknowledged_at"] and final["resolved_at"] and final["closed_at"]
    actions = db.session.scalars(
        select(Event.action).where(Event.subject == "complaint", Event.action != "update").order_by(Event.id)
    ).all()
    assert actions == [
        "open",
        "acknowledge",
        "resolve",
        "reopen",
        "acknowledge",
        "resolve",
        "close",
        "reopen",
    ]


@pytest.mark.parametrize(
    ("path", "body", "allowed"),
    [
        ([], {"status": "resolved", "resolution": "x"}, "acknowledged"),
        ([], {"status": "closed"}, "acknowledged"),
        ([{"status": "acknowledged"}], {"status": "closed"}, "resolved"),
    ],
)
def test_a_step_out_of_order_is_409_naming_the_allowed_ones(
    client: FlaskClient, crew: Crew, order: Served, path: list, body: dict, allowed: str
) -> None:
    """A status the complaint cannot reach from where it is is refused, the message says where it can go."""
    complaint = open_one(client, crew, order)
    for step in path:
        patch(client, crew, complaint["id"], **step)
    before = counts()
    response = patch(client, crew, complaint["id"], **body)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert f"allowed: {allowed}" in response.get_json()["detail"]
    assert counts() == before
    assert client.get(f"{URL}/{complaint['id']}", headers=crew.office).get_json()["resolution"] is None


def test_resolving_needs_a_resolution(client: FlaskClient, crew: Crew, order: Served) -> None:
    """A complaint cannot be resolved without saying what was done."""
    complaint = open_one(client, crew, order)
    patch(client, crew, complaint["id"], status="acknowledged", fault="product")
    before = counts()
    response = patch(client, crew, complaint["id"], status="resolved", root_cause="Faulty valve")
    assert response.status_code == 422 and "resolution" in response.get_json()["errors"]
    assert counts() == before
    db.session.expire_all()
    shown = client.get(f"{URL}/{complaint['id']}", headers=crew.office).get_json()
    assert (shown["status"], shown["root_cause"]) == ("acknowledged", None)


def test_a_closed_complaint_is_read_only_until_reopened(
    client: FlaskClient, crew: Crew, order: Served
) -> None:
    """Details of a closed complaint are refused with 409; reopening with them is accepted."""
    complaint = open_one(client, crew, order)
    for body in ({"status": "acknowledged"}, {"status": "resolved", "resolution": "x"}, {"status": "closed"}):
        patch(client, crew, complaint["id"], **body)
    assert patch(client, crew, complaint["id"], root_cause="late").status_code == 409
    reopened = patch(client, crew, complaint["id"], status="open", root_cause="late")
    assert reopened.status_code == 200 and reopened.get_json()["root_cause"] == "late"


@pytest.mark.parametrize(
    "body",
    [
        {"category": "weather"},
        {"severity": "critical"},
        {"description": "   "},
        {"description": ""},
        {"order_id": 0},
        {"order_id": "1"},
        {"extra": 1},
    ],
)
def test_bad_complaints_are_refused_and_change_nothing(
    client: FlaskClient, crew: Crew, order: Served, body: dict
) -> None:
    """Invalid fields are refused with 422 naming the field; nothing is kept or logged."""
    before = counts()
    full = {"order_id": order.order_id, "category": "damage", "severity": "high", "description": "x", **body}
    response = client.post(URL, json=full, headers=crew.office)
    assert response.status_code == 422 and set(response.get_json()["errors"]) == set(body)
    assert counts() == before


@pytest.mark.parametrize("body", [{}, {"status": "done"}, {"fault": "weather"}, {"resolution": ""}])
def test_bad_changes_are_refused_and_change_nothing(
    client: FlaskClient, crew: Crew, order: Served, body: dict
) -> None:
    """A PATCH with nothing to change or a bad value is 422; the complaint stays as it was."""
    complaint = open_one(client, crew, order)
    before = counts()
    assert patch(client, crew, complaint["id"], **body).status_code == 422
    assert counts() == before


def test_unknown_ids_and_customers_without_a_token_get_nothing(client: FlaskClient, crew: Crew) -> None:
    """An unknown complaint or order is 404; the office API needs a dispatcher's token."""
    assert client.get(f"{URL}/999999", headers=crew.office).status_code == 404
    body = {"order_id": 999999, "category": "damage", "severity": "high", "description": "x"}
    assert client.post(URL, json=body, headers=crew.office).status_code == 404
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=crew.tech).status_code == 403
