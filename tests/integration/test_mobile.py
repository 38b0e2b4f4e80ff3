"""The technician's day over the phone API: the route, status events, ETAs, and who may see what."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, Visit, VisitProgress
from tests.integration.mobile_day import (
    Crew,
    event,
    make_crew,
    order_of,
    post_event,
    published_visit,
    upload,
    worked_since,
)

PROBLEM = "application/problem+json"
FULL_CHECKLIST = {
    "goods_checked": True,
    "site_protected": True,
    "installed_per_manual": True,
    "tested_with_customer": True,
    "packaging_removed": True,
}


@pytest.fixture
def crew(app: Flask, client: FlaskClient, tmp_path: Path) -> Crew:
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return make_crew(client)


def visit_events(visit_id: int) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event).where(Event.visit_id == visit_id, Event.subject == "visit").order_by(Event.id)
        )
    )


def test_day_lists_own_published_visits_in_route_order(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Only the caller's published visits of the day come back, by sequence, with what the door needs."""
    tech = crew.network.technician
    second = published_visit(app, tech, day=crew.day, sequence=2)
    first = published_visit(app, tech, day=crew.day, sequence=1, kind="pickup")
    published_visit(app, crew.other, day=crew.day, sequence=1)  # someone else's
    published_visit(app, tech, day=crew.day + timedelta(days=1), sequence=1)  # another day
    published_visit(app, tech, day=crew.day, sequence=3, status="planned")  # not published

    response = client.get(f"/api/mobile/v1/visits?date={crew.day}", headers=crew.tech)
    assert response.status_code == 200, response.get_json()
    visits = response.get_json()
    assert [v["id"] for v in visits] == [first.id, second.id]
    sheet = visits[0]
    assert sheet["customer"]["name"].startswith("Customer ") and sheet["customer"]["phone"].startswith("+86")
    assert sheet["site"]["address"] == "No. 8, Zhaojiabang Road, Xuhui" and sheet["site"]["lat"] == 31.19
    assert sheet["navigation"]["geo"].startswith("geo:31.190000,121.440000?q=")
    assert sheet["navigation"]["web"].startswith("https://")
    assert sheet["window_start"].endswith("+08:00") and sheet["planned_arrival"].endswith("+08:00")
    assert sheet["items"] == [{"sku": "WASHER", "name": "Product WASHER", "qty": 1}]
    assert sheet["notes"] == "Call before arriving" and sheet["status"] == "dispatched"
    assert sheet["kind"] == "pickup" and len(sheet["checklist"]) == 3
    assert visits[1]["checklist"][0] == {"code": "goods_checked", "text": visits[1]["checklist"][0]["text"]}


def test_day_defaults_to_today_and_shows_earlier_visits_at_the_site(
    app: Flask, client: FlaskClient, crew: Crew
) -> None:
    """Without a date the list is today's; a visit shows the closed visits before it at the same address."""
    tech = crew.network.technician
    earlier = published_visit(
        app, tech, day=crew.day - timedelta(days=3), kind="repair", status="completed", customer=900
    )
    published_visit(app, tech, day=crew.day - timedelta(days=2), status="completed")  # another customer
    today = published_visit(app, tech, day=crew.day, customer=900)
    visits = client.get("/api/mobile/v1/visits", headers=crew.tech).get_json()
    assert [v["id"] for v in visits] == [today.id]
    assert visits[0]["history"] == [
        {"date": earlier.day.isoformat(), "kind": "repair", "outcome": "completed", "reason": None}
    ]


def test_full_day_from_accept_to_complete(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """accept, depart (ETA), arrive, start, pause, resume, complete with photo and signature."""
    t0 = worked_since(timedelta(hours=2))
    visit = published_visit(app, crew.network.technician, day=t0.date())
    steps: list[tuple[dict[str, Any], str, str]] = [
        (event("accept", t0), "accepted", "dispatched"),
        (event("depart", t0 + timedelta(minutes=5), lat=31.23, lon=121.47), "en_route", "dispatched"),
        (event("arrive", t0 + timedelta(minutes=30)), "arrived", "dispatched"),
        (event("start", t0 + timedelta(minutes=32)), "in_progress", "in_progress"),
        (event("pause", t0 + timedelta(minutes=50), note="lunch"), "paused", "in_progress"),
        (event("resume", t0 + timedelta(minutes=80)), "in_progress", "in_progress"),
    ]
    for body, visit_status, order_status in steps:
        response = post_event(client, crew.tech, visit.id, body)
        assert response.status_code == 201, response.get_json()
        result = response.get_json()
        assert (result["visit_status"], result["order_status"]) == (visit_status, order_status)

    eta = client.get(f"/api/mobile/v1/visits/{visit.id}/eta", headers=crew.tech).get_json()
    departed = t0 + timedelta(minutes=5)
    assert eta["eta"].endswith("+08:00")
    travel = datetime.fromisoformat(eta["eta"]) - departed
    assert timedelta(minutes=5) < travel < timedelta(minutes=60)  # ~5.6 km at 25 km/h with detours

    assert upload(client, crew.tech, visit.id, kind="photo").status_code == 201
    assert upload(client, crew.tech, visit.id, kind="signature").status_code == 201
    done = post_event(
        client, crew.tech, visit.id, event("complete", t0 + timedelta(hours=2), checklist=FULL_CHECKLIST)
    )
    assert done.status_code == 201, done.get_json()
    assert (done.get_json()["visit_status"], done.get_json()["order_status"]) == ("completed", "completed")

    logged = visit_events(visit.id)
    actions = [e.action for e in logged if e.actor_name == "T001"]
    assert actions == ["accept", "depart", "arrive", "start", "pause", "resume", "complete"]
    assert all(e.reported_at is not None and e.at is not None for e in logged if e.actor_name == "T001")
    assert logged[-1].reported_at == t0 + timedelta(hours=2)
    order_actions = db.session.scalars(
        select(Event.action)
        .where(Event.order_id == visit.order_id, Event.subject == "order")
        .order_by(Event.id)
    ).all()
    assert order_actions[-2:] == ["start", "complete"]


def test_complete_with_the_customers_confirmation_code(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """The code the customer was given stands in for photo and signature; a wrong code is refused."""
    visit = published_visit(app, crew.network.technician, day=crew.day, status="in_progress")
    code = db.session.get(VisitProgress, visit.id)
    assert code is None  # made on first read
    client.get(f"/api/mobile/v1/visits/{visit.id}", headers=crew.tech)
    progress = db.session.get(VisitProgress, visit.id)
    assert progress is not None and len(progress.confirmation_code) == 6
    wrong = "000000" if progress.confirmation_code != "000000" else "111111"
    body = event("complete", checklist=FULL_CHECKLIST, confirmation_code=wrong)
    refused = post_event(client, crew.tech, visit.id, body)
    assert refused.status_code == 422 and "confirmation_code" in refused.get_json()["errors"]
    body["confirmation_code"] = progress.confirmation_code
    response = post_event(client, crew.tech, visit.id, body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_status"] == "completed"


@pytest.mark.parametrize(
    ("checklist", "fields"),
    [
        (None, {"checklist", "attachments"}),
        ({"goods_checked": True}, {"checklist", "attachments"}),
        (FULL_CHECKLIST, {"attachments"}),
    ],
)
def test_complete_needs_checklist_and_proof(
    app: Flask, client: FlaskClient, crew: Crew, checklist: dict[str, bool] | None, fields: set[str]
) -> None:
    """Completing without every checklist answer, or without photo and signature or code, is 422."""
    visit = published_visit(app, crew.network.technician, day=crew.day, status="in_progress")
    upload(client, crew.tech, visit.id, kind="photo")  # a photo alone is not enough
    response = post_event(client, crew.tech, visit.id, event("complete", checklist=checklist))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == fields
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "in_progress"


ILLEGAL = [
    ("dispatched", "depart"),
    ("dispatched", "arrive"),
    ("dispatched", "start"),
    ("dispatched", "complete"),
    ("dispatched", "pause"),
    ("accepted", "accept"),
    ("accepted", "arrive"),
    ("en_route", "start"),
    ("arrived", "pause"),
    ("arrived", "complete"),
    ("in_progress", "start"),
    ("in_progress", "resume"),
    ("paused", "complete"),
    ("paused", "pause"),
    ("completed", "start"),
    ("completed", "cannot_complete"),
    ("cannot_complete", "accept"),
    ("cancelled", "accept"),
    ("dispatched", "cannot_complete"),
]


@pytest.mark.parametrize(("state", "type_"), ILLEGAL)
def test_illegal_transitions_conflict_and_change_nothing(
    app: Flask, client: FlaskClient, crew: Crew, state: str, type_: str
) -> None:
    """An event the visit's status does not allow is 409; visit, order and log stay as they were."""
    visit = published_visit(app, crew.network.technician, day=crew.day, status=state)
    order_status = order_of(visit.id).status
    before = db.session.scalar(select(func.count()).select_from(Event))
    extra = {"reason": "customer_absent"} if type_ == "cannot_complete" else {}
    response = post_event(client, crew.tech, visit.id, event(type_, **extra))
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == PROBLEM
    assert db.session.scalar(select(func.count()).select_from(Event)) == before
    assert order_of(visit.id).status == order_status
    assert db.session.get(Visit, visit.id).status == state


@pytest.mark.parametrize(
    ("reason", "order_status"),
    [
        ("customer_absent", "ready_to_schedule"),
        ("needs_part", "ready_to_schedule"),
        ("site_not_ready", "ready_to_schedule"),
        ("goods_missing", "on_hold"),
        ("goods_damaged", "on_hold"),
    ],
)
def test_cannot_complete_sends_the_order_back(
    app: Flask, client: FlaskClient, crew: Crew, reason: str, order_status: str
) -> None:
    """A visit given up sends its order back to scheduling, or on hold when the goods are the problem."""
    visit = published_visit(app, crew.network.technician, day=crew.day, status="arrived")
    response = post_event(client, crew.tech, visit.id, event("cannot_complete", reason=reason))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["visit_status"] == "cannot_complete"
    assert order_of(visit.id).status == order_status
    assert db.session.get(VisitProgress, visit.id).outcome_reason == reason


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"type": "fly", "at": "2026-11-23T09:00:00+08:00"}, {"type"}),
        ({"type": "accept"}, {"at"}),
        ({"type": "accept", "at": "2026-11-23T09:00:00"}, {"at"}),  # no offset
        ({"type": "depart", "at": "2026-11-23T09:00:00+08:00", "lat": 31.2}, {"lon"}),
        ({"type": "depart", "at": "2026-11-23T09:00:00+08:00", "lat": 95, "lon": 121}, {"lat"}),
        ({"type": "cannot_complete", "at": "2026-11-23T09:00:00+08:00"}, {"reason"}),
        ({"type": "cannot_complete", "at": "2026-11-23T09:00:00+08:00", "reason": "bored"}, {"reason"}),
        ({"type": "cannot_complete", "at": "2026-11-23T09:00:00+08:00", "reason": "other"}, {"note"}),
        ({"type": "accept", "at": "2026-11-23T09:00:00+08:00", "mood": "good"}, {"mood"}),
        ({"type": "accept", "at": "2099-01-01T09:00:00+08:00"}, {"at"}),  # the phone's clock is off
    ],
)
def test_bad_bodies_are_422_with_field_errors(
    app: Flask, client: FlaskClient, crew: Crew, body: dict[str, Any], fields: set[str]
) -> None:
    """Malformed events name the fields at fault and record nothing."""
    visit = published_visit(app, crew.network.technician, day=crew.day, status="accepted")
    response = post_event(client, crew.tech, visit.id, body)
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert set(response.get_json()["errors"]) == fields
    assert visit_events(visit.id) == [] or all(e.actor_name != "T001" for e in visit_events(visit.id))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/mobile/v1/visits/{id}"),
        ("get", "/api/mobile/v1/visits/{id}/eta"),
        ("post", "/api/mobile/v1/visits/{id}/events"),
        ("post", "/api/mobile/v1/visits/{id}/attachments"),
    ],
)
def test_another_technicians_visit_is_not_found(
    app: Flask, client: FlaskClient, crew: Crew, method: str, path: str
) -> None:
    """Someone else's visit, or one not yet published, answers 404 so that ids do not leak."""
    theirs = published_visit(app, crew.other, day=crew.day)
    unpublished = published_visit(app, crew.network.technician, day=crew.day, status="planned")
    for visit in (theirs, unpublished):
        url = path.format(id=visit.id)
        if path.endswith("/events"):
            response = post_event(client, crew.tech, visit.id, event("accept"))
        elif path.endswith("/attachments"):
            response = upload(client, crew.tech, visit.id)
        else:
            response = getattr(client, method)(url, headers=crew.tech)
        assert response.status_code == 404, (url, response.get_json())
    assert db.session.get(Visit, theirs.id).status == "dispatched"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/mobile/v1/visits"),
        ("get", "/api/mobile/v1/visits/1"),
        ("get", "/api/mobile/v1/visits/1/eta"),
        ("post", "/api/mobile/v1/visits/1/events"),
        ("post", "/api/mobile/v1/sync"),
        ("post", "/api/mobile/v1/location"),
        ("get", "/api/mobile/v1/attachments/1"),
        ("delete", "/api/mobile/v1/session"),
    ],
)
def test_mobile_endpoints_need_a_technician_token(
    client: FlaskClient, crew: Crew, method: str, path: str
) -> None:
    """No token or a bad one is 401; an office token is 403."""
    call = getattr(client, method)
    assert call(path).status_code == 401
    assert call(path, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    forbidden = call(path, headers=crew.office, json={})
    assert forbidden.status_code == 403 and forbidden.mimetype == PROBLEM


@pytest.mark.parametrize("path", ["/api/v1/orders", "/api/v1/technicians", "/api/v1/attachments/1"])
def test_technician_tokens_stay_out_of_the_office_api(client: FlaskClient, crew: Crew, path: str) -> None:
    """A phone's token opens /api/mobile/v1 only."""
    assert client.get(path, headers=crew.tech).status_code == 403
