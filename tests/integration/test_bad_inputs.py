"""No input gives a server error: five classes of bad input on every family of endpoints, on each database.

The classes: a NUL byte in a string, an integer past 32 bits, a date in year 1 or 9999, JSON nested
far too deep, and half a surrogate pair. Each must be a 4xx with a problem body and change nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint, Event, Order, PlanRun, Survey, TechnicianPosition, Visit
from app.services.booking_links import booking_token
from tests.factories import order_body
from tests.integration.console_helpers import sign_in
from tests.integration.mobile_day import Crew, event, make_crew, published_visit

BIG = 2**31
DEEP = "[" * 100_000 + "]" * 100_000
BAD_DAYS = ["0001-01-01", "9999-12-31"]


@dataclass
class World:
    crew: Crew
    visit_id: int
    order_id: int
    booking: str
    csrf: str


@pytest.fixture
def world(app: Flask, client: FlaskClient) -> World:
    crew = make_crew(client)
    visit = published_visit(app, crew.network.technician, day=crew.day)
    csrf = sign_in(client)
    return World(crew, visit.id, visit.order_id, booking_token(visit.order), csrf)


def _rows() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Order, Visit, Event, PlanRun, TechnicianPosition, Complaint, Survey)
    )


def _raw(body: Any) -> str:
    """JSON as a client writes it, lone surrogates escaped (\\ud800) the way JSON allows."""
    return body if isinstance(body, str) else json.dumps(body)


Request = Callable[[FlaskClient, World], Any]


def api(method: str, path: str, body: Any = None, *, as_: str = "office") -> Request:
    def send(client: FlaskClient, w: World) -> Any:
        headers = {"office": w.crew.office, "tech": w.crew.tech, "none": {}}[as_]
        headers = {**headers, "Idempotency-Key": uuid.uuid4().hex}
        url = path.format(
            order=w.order_id, visit=w.visit_id, token=w.booking, tech=w.crew.network.technician.id
        )
        if body is None:
            return client.open(url, method=method, headers=headers)
        return client.open(
            url, method=method, headers=headers, data=_raw(body), content_type="application/json"
        )

    return send


def console(method: str, path: str, body: Any = None, form: dict[str, str] | None = None) -> Request:
    def send(client: FlaskClient, w: World) -> Any:
        url = path.format(order=w.order_id, visit=w.visit_id)
        headers = {"X-CSRFToken": w.csrf}
        if form is not None:
            return client.open(url, method=method, headers=headers, data={**form, "csrf_token": w.csrf})
        if body is not None:
            return client.open(
                url, method=method, headers=headers, data=_raw(body), content_type="application/json"
            )
        return client.open(url, method=method, headers=headers)

    return send


def _order(**changes: Any) -> dict[str, Any]:
    return order_body(**{"external_ref": "BAD-1", **changes})


def _complaint(**changes: Any) -> dict[str, Any]:
    return {"order_id": 1, "category": "damage", "severity": "low", "description": "x", **changes}


def _survey(**changes: Any) -> dict[str, Any]:
    return {"rating": 5, "technician_rating": 5, "solved": True, **changes}


NUL = {
    "order intake": api("POST", "/api/v1/orders", _order(notes="call\x00me")),
    "order customer": api(
        "POST", "/api/v1/orders", _order(customer={"name": "王\x00伟", "phone": "13812345678"})
    ),
    "order list": api("GET", "/api/v1/orders?region=W\x00"),
    "order hold": api("POST", "/api/v1/orders/{order}/hold", {"reason": "a\x00b"}),
    "order goods": api("POST", "/api/v1/orders/{order}/goods", {"status": "delivered\x00"}),
    "sign-in": api("POST", "/api/v1/auth/tokens", {"login": "dispatcher\x00", "password": "x"}, as_="none"),
    "plan regions": api("POST", "/api/v1/plans", {"date": "2030-01-07", "regions": ["W\x00"]}),
    "phone event": api(
        "POST", "/api/mobile/v1/visits/{visit}/events", event("accept", note="a\x00"), as_="tech"
    ),
    "phone sync": api(
        "POST",
        "/api/mobile/v1/sync",
        {"events": [{**event("accept"), "idempotency_key": "k\x00", "visit_id": 1}]},
        as_="tech",
    ),
    "booking query": api("GET", "/api/booking/v1/{token}/slots?from=2030-01-07\x00", as_="none"),
    "console board": console("GET", "/console/api/board?region=W\x00"),
    "console status form": console(
        "POST", "/console/orders/{order}/status", form={"action": "hold", "reason": "a\x00"}
    ),
    "console login form": console("POST", "/console/login", form={"login": "x\x00", "password": "y"}),
    "complaint": api("POST", "/api/v1/complaints", _complaint(description="a\x00b")),
    "complaint list": api("GET", "/api/v1/complaints?region=W\x00"),
    "customer complaint": api(
        "POST", "/api/booking/v1/{token}/complaint", {"description": "a\x00"}, as_="none"
    ),
    "survey comment": api("POST", "/api/booking/v1/{token}/survey", _survey(comment="a\x00"), as_="none"),
}

SURROGATE = {
    "phone sync key": api(
        "POST",
        "/api/mobile/v1/sync",
        {"events": [{**event("accept"), "idempotency_key": "k\ud800", "visit_id": 1}]},
        as_="tech",
    ),
    "order intake": api("POST", "/api/v1/orders", _order(external_ref="\ud800")),
    "order hold": api("POST", "/api/v1/orders/{order}/hold", {"reason": "a\udc00"}),
    "order goods": api("POST", "/api/v1/orders/{order}/goods", {"status": "\ud800"}),
    "sign-in": api("POST", "/api/v1/auth/tokens", {"login": "\ud800", "password": "x"}, as_="none"),
    "phone event": api(
        "POST", "/api/mobile/v1/visits/{visit}/events", event("accept", note="\ud83d"), as_="tech"
    ),
    "console move": console(
        "POST", "/console/api/moves", {"order_id": 1, "technician_id": 1, "start": "\ud800"}
    ),
    "complaint change": api("PATCH", "/api/v1/complaints/1", {"root_cause": "\ud800"}),
    "survey tags": api("POST", "/api/booking/v1/{token}/survey", _survey(tags=["\udc00"]), as_="none"),
}

BIG_INTS = {
    "order path": api("GET", f"/api/v1/orders/{BIG}"),
    "order path past 64 bits": api("GET", f"/api/v1/orders/{2**63}"),
    "order action path": api("POST", f"/api/v1/orders/{BIG}/cancel", {"reason": "x"}),
    "order goods path": api("POST", f"/api/v1/orders/{BIG}/goods", {"status": "delivered"}),
    "order quantity": api("POST", "/api/v1/orders", _order(items=[{"sku": "SOFA-3", "qty": BIG}])),
    "order fraction": api("POST", "/api/v1/orders", _order(items=[{"sku": "SOFA-3", "qty": 1.5}])),
    "order string count": api("POST", "/api/v1/orders", _order(items=[{"sku": "SOFA-3", "qty": "1"}])),
    "plan path": api("GET", f"/api/v1/plans/{BIG}"),
    "plan time limit": api("POST", "/api/v1/plans", {"date": "2030-01-07", "time_limit_s": BIG}),
    "technician day path": api("GET", f"/api/v1/technicians/{BIG}/day?date=2030-01-07"),
    "attachment path": api("GET", f"/api/v1/attachments/{2**63}"),
    "phone visit path": api("GET", f"/api/mobile/v1/visits/{BIG}", as_="tech"),
    "phone sync visit": api(
        "POST",
        "/api/mobile/v1/sync",
        {"events": [{**event("accept"), "idempotency_key": "k1", "visit_id": BIG}]},
        as_="tech",
    ),
    "booking fraction of a day": api("GET", "/api/booking/v1/{token}/slots?days=1.5", as_="none"),
    "booking days": api("GET", f"/api/booking/v1/{{token}}/slots?days={BIG}", as_="none"),
    "console move": console(
        "POST", "/console/api/moves", {"order_id": BIG, "technician_id": 1, "start": "x"}
    ),
    "console order page": console("GET", f"/console/orders/{2**63}"),
    "console lock": console("POST", f"/console/api/visits/{BIG}/lock"),
    "complaint path": api("GET", f"/api/v1/complaints/{BIG}"),
    "complaint change path": api("PATCH", f"/api/v1/complaints/{BIG}", {"status": "closed"}),
    "complaint order": api("POST", "/api/v1/complaints", _complaint(order_id=BIG)),
    "complaint list order": api("GET", f"/api/v1/complaints?order_id={BIG}"),
    "survey rating": api("POST", "/api/booking/v1/{token}/survey", _survey(rating=BIG), as_="none"),
    "survey nps fraction": api("POST", "/api/booking/v1/{token}/survey", _survey(nps=7.5), as_="none"),
}

DATES = {
    f"{name} {day}": request
    for day in BAD_DAYS
    for name, request in {
        "order earliest start": api("POST", "/api/v1/orders", _order(earliest_start=day)),
        "order list": api("GET", f"/api/v1/orders?date={day}"),
        "order goods expected": api(
            "POST", "/api/v1/orders/{order}/goods", {"status": "in_transit", "expected": day}
        ),
        "plan date": api("POST", "/api/v1/plans", {"date": day}),
        "technician day": api("GET", f"/api/v1/technicians/{{tech}}/day?date={day}"),
        "phone day": api("GET", f"/api/mobile/v1/visits?date={day}", as_="tech"),
        "phone event": api(
            "POST",
            "/api/mobile/v1/visits/{visit}/events",
            {**event("accept"), "at": f"{day}T09:00:00+08:00"},
            as_="tech",
        ),
        "phone location": api(
            "POST",
            "/api/mobile/v1/location",
            {"lat": 31.2, "lon": 121.4, "at": f"{day}T09:00:00+08:00"},
            as_="tech",
        ),
        "booking slots": api("GET", f"/api/booking/v1/{{token}}/slots?from={day}", as_="none"),
        "booking appointment": api(
            "POST", "/api/booking/v1/{token}/appointment", {"start": f"{day}T09:00:00+08:00"}, as_="none"
        ),
        "console board": console("GET", f"/console/api/board?date={day}"),
        "console board page": console("GET", f"/console/board?date={day}"),
        "console map": console("GET", f"/console/map?date={day}"),
        "plan from": api("POST", "/api/v1/plans", {"date": "2030-01-07", "from": f"{day}T23:59:00-12:00"}),
        "console plan": console("POST", "/console/api/plans", {"date": day}),
    }.items()
}

DEEP_JSON = {
    "order intake": api("POST", "/api/v1/orders", DEEP),
    "order goods": api("POST", "/api/v1/orders/{order}/goods", DEEP),
    "sign-in": api("POST", "/api/v1/auth/tokens", DEEP, as_="none"),
    "plans": api("POST", "/api/v1/plans", DEEP),
    "phone event": api("POST", "/api/mobile/v1/visits/{visit}/events", DEEP, as_="tech"),
    "phone sync": api("POST", "/api/mobile/v1/sync", '{"events": ' + DEEP + "}", as_="tech"),
    "booking": api("POST", "/api/booking/v1/{token}/appointment", DEEP, as_="none"),
    "console move": console("POST", "/console/api/moves", DEEP),
    "console plan": console("POST", "/console/api/plans", DEEP),
    "complaint": api("POST", "/api/v1/complaints", DEEP),
    "survey": api("POST", "/api/booking/v1/{token}/survey", DEEP, as_="none"),
}

CASES = {
    **{f"NUL: {k}": v for k, v in NUL.items()},
    **{f"surrogate: {k}": v for k, v in SURROGATE.items()},
    **{f"integer: {k}": v for k, v in BIG_INTS.items()},
    **{f"date: {k}": v for k, v in DATES.items()},
    **{f"deep JSON: {k}": v for k, v in DEEP_JSON.items()},
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_a_4xx_that_changes_nothing(client: FlaskClient, world: World, case: str) -> None:
    """Every bad input is refused with a 4xx; API answers are problem+json; no row is added."""
    before = _rows()
    response = CASES[case](client, world)
    answer = (case, response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code == 200 and "results" in (response.get_json(silent=True) or {}):
        # A phone's batch answers for each event: the bad one is rejected, not the batch.
        results = response.get_json()["results"]
        assert [(r["status"], r["http_status"]) for r in results] == [("rejected", 422)], answer
    else:
        assert 400 <= response.status_code < 500, answer
        if response.request.path.startswith("/api/"):
            assert response.mimetype == "application/problem+json", case
    db.session.rollback()
    assert _rows() == before, case


def test_field_messages_name_the_bad_field(client: FlaskClient, world: World) -> None:
    """The schema layer says which field is wrong and why, not just that something was."""
    cases = [
        (NUL["order intake"], "notes", "NUL"),
        (SURROGATE["order hold"], "reason", "surrogate"),
        (BIG_INTS["order quantity"], "items.0.qty", "less than or equal to 2147483647"),
        (BIG_INTS["order fraction"], "items.0.qty", "integer"),
        (BIG_INTS["order string count"], "items.0.qty", "integer"),
        (DATES["order earliest start 9999-12-31"], "earliest_start", "between 2000-01-01 and 2100-12-31"),
        (DATES["phone event 0001-01-01"], "at", "between"),
    ]
    for send, field, words in cases:
        body = send(client, world).get_json()
        assert words in " ".join(body["errors"][field]), (field, body)


def test_a_phone_event_a_month_old_is_refused(client: FlaskClient, world: World) -> None:
    """A phone whose clock says last month is told to check it; the visit does not move."""
    old = {**event("accept"), "at": "2024-01-01T09:00:00+08:00"}
    response = api("POST", "/api/mobile/v1/visits/{visit}/events", old, as_="tech")(client, world)
    assert response.status_code == 422 and "30 days" in response.get_json()["errors"]["at"][0]


def test_a_page_past_every_order_is_empty(client: FlaskClient, world: World) -> None:
    """A page number past 64 bits is just a page after the last: empty, not a crash."""
    response = api("GET", f"/api/v1/orders?page={10**20}")(client, world)
    assert response.status_code == 200 and response.get_json() == []
