"""A visit's work is reported on its day in its region's time, by each event's `at`, online or synced."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Event, Visit
from tests.integration.mobile_day import ZONE, Crew, event, make_crew, order_of, post_event, published_visit

PROBLEM = "application/problem+json"


@pytest.fixture
def crew(app: Flask, client: FlaskClient, tmp_path: Path) -> Crew:
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return make_crew(client)


def visit_actions(visit_id: int) -> list[str]:
    db.session.expire_all()
    query = select(Event.action).where(Event.visit_id == visit_id, Event.actor_name == "T001")
    return list(db.session.scalars(query.where(Event.subject == "visit").order_by(Event.id)))


def sync(client: FlaskClient, headers: dict[str, str], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = client.post("/api/mobile/v1/sync", json={"events": events}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_tomorrows_visit_may_be_accepted_but_not_worked_today(
    app: Flask, client: FlaskClient, crew: Crew
) -> None:
    """Accepting tomorrow's visit is fine; setting out for it today is 409, saying which day it is for."""
    tomorrow = crew.day + timedelta(days=1)
    visit = published_visit(app, crew.network.technician, day=tomorrow)
    assert post_event(client, crew.tech, visit.id, event("accept")).status_code == 201
    refused = post_event(client, crew.tech, visit.id, event("depart", lat=31.2, lon=121.4))
    assert refused.status_code == 409 and refused.mimetype == PROBLEM
    assert f"the visit is for {tomorrow.isoformat()}" in refused.get_json()["detail"]
    assert db.session.get(Visit, visit.id).status == "accepted"
    assert order_of(visit.id).status == "dispatched"
    assert visit_actions(visit.id) == ["accept"]


@pytest.mark.parametrize(
    ("status", "type_", "fields", "days_away"),
    [
        ("accepted", "depart", {}, 1),
        ("en_route", "arrive", {}, 1),
        ("arrived", "start", {}, 1),
        ("in_progress", "complete", {"confirmation_code": "000000"}, 1),
        ("in_progress", "pause", {}, 1),
        ("accepted", "depart", {}, -1),
        ("en_route", "arrive", {}, -1),
        ("arrived", "start", {}, -1),
    ],
)
def test_work_on_another_days_visit_is_refused(
    app: Flask, client: FlaskClient, crew: Crew, status: str, type_: str, fields: dict, days_away: int
) -> None:
    """Today, setting out, arriving or starting is refused for tomorrow's or yesterday's visit, and so is
    completing or pausing tomorrow's; nothing is recorded and the order does not move."""
    day = crew.day + timedelta(days=days_away)
    visit = published_visit(app, crew.network.technician, day=day, status=status)
    before = order_of(visit.id).status
    response = post_event(client, crew.tech, visit.id, event(type_, **fields))
    assert response.status_code == 409, response.get_json()
    assert response.mimetype == PROBLEM
    assert f"the visit is for {day.isoformat()}" in response.get_json()["detail"]
    assert db.session.get(Visit, visit.id).status == status
    assert order_of(visit.id).status == before
    assert visit_actions(visit.id) == []


def test_work_started_on_its_day_runs_on_past_midnight(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Yesterday's visit under way may be paused and resumed today: the work goes on."""
    visit = published_visit(
        app, crew.network.technician, day=crew.day - timedelta(days=1), status="in_progress"
    )
    assert post_event(client, crew.tech, visit.id, event("pause")).status_code == 201
    assert post_event(client, crew.tech, visit.id, event("resume")).status_code == 201


def test_sync_judges_each_event_by_its_own_time(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Synced today, yesterday's work reported as it happened applies; the same steps for tomorrow's visit
    are refused one by one (409) while the rest of the batch applies."""
    yesterday = crew.day - timedelta(days=1)
    done = published_visit(app, crew.network.technician, day=yesterday)
    ahead = published_visit(app, crew.network.technician, day=crew.day + timedelta(days=1), sequence=2)
    t0 = datetime.combine(yesterday, time(10), ZONE)
    steps = ["accept", "depart", "arrive", "start"]
    batch = [
        {**event(kind, t0 + timedelta(minutes=10 * n)), "idempotency_key": f"y-{kind}", "visit_id": done.id}
        for n, kind in enumerate(steps)
    ]
    now = datetime.now(ZONE) - timedelta(minutes=5)
    batch += [
        {**event("accept", now), "idempotency_key": "t-accept", "visit_id": ahead.id},
        {**event("depart", now + timedelta(seconds=1)), "idempotency_key": "t-depart", "visit_id": ahead.id},
    ]
    results = sync(client, crew.tech, batch)
    assert [(r["status"], r["http_status"]) for r in results] == [("applied", 201)] * 5 + [("rejected", 409)]
    assert f"the visit is for {ahead.day.isoformat()}" in results[-1]["error"]
    assert visit_actions(done.id) == steps
    assert visit_actions(ahead.id) == ["accept"]
    assert order_of(done.id).status == "in_progress" and order_of(ahead.id).status == "dispatched"


def test_an_event_is_judged_in_the_regions_time_zone(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """00:30 in Shanghai is the visit's day even though it is still the day before in UTC."""
    yesterday = crew.day - timedelta(days=1)
    visit = published_visit(app, crew.network.technician, day=yesterday, status="accepted")
    early = datetime.combine(yesterday, time(0, 30), ZONE)
    in_utc = early.astimezone(UTC)
    assert in_utc.date() != yesterday
    late_report = {**event("depart"), "at": in_utc.isoformat()}
    assert post_event(client, crew.tech, visit.id, late_report).status_code == 201
