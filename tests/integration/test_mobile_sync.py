"""Idempotent event reports and offline sync: retries replay, late events are kept as stale, nothing twice."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from app.extensions import db
from app.models import Event, IdempotencyKey, Visit
from tests.integration.mobile_day import (
    ZONE,
    Crew,
    event,
    make_crew,
    post_event,
    published_visit,
    worked_since,
)


@pytest.fixture
def crew(app: Flask, client: FlaskClient, tmp_path: Path) -> Crew:
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return make_crew(client)


def visit_actions(visit_id: int) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Event.action)
            .where(Event.visit_id == visit_id, Event.subject == "visit", Event.actor_name == "T001")
            .order_by(Event.id)
        )
    )


def sync(client: FlaskClient, headers: dict[str, str], events: list[dict[str, Any]]) -> Any:
    return client.post("/api/mobile/v1/sync", json={"events": events}, headers=headers)


def test_a_hundred_replays_record_one_event(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """The same key sent 100 times gets the first 201 and body back each time; one event is recorded."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    body = event("accept")
    first = post_event(client, crew.tech, visit.id, body, key="accept-1")
    assert first.status_code == 201
    for _ in range(99):
        again = post_event(client, crew.tech, visit.id, body, key="accept-1")
        assert (again.status_code, again.get_json()) == (201, first.get_json())
        assert again.headers["Idempotent-Replayed"] == "true"
    assert visit_actions(visit.id) == ["accept"]
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_same_key_with_another_body_is_refused(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """A key reused for a different request is 422 and applies nothing."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    at = datetime.now(ZONE)
    assert post_event(client, crew.tech, visit.id, event("accept", at), key="k").status_code == 201
    other = post_event(client, crew.tech, visit.id, event("depart", at + timedelta(minutes=1)), key="k")
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()["errors"]
    assert visit_actions(visit.id) == ["accept"]


def test_keys_belong_to_their_user(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Two technicians may use the same key; each gets their own answer."""
    mine = published_visit(app, crew.network.technician, day=crew.day)
    theirs = published_visit(app, crew.other, day=crew.day)
    body = event("accept")
    assert post_event(client, crew.tech, mine.id, body, key="shared").status_code == 201
    assert post_event(client, crew.other_tech, theirs.id, body, key="shared").status_code == 201


@pytest.mark.parametrize("key", [None, "", "x" * 201, "tab\there"])
def test_events_need_a_usable_key(app: Flask, client: FlaskClient, crew: Crew, key: str | None) -> None:
    """Without an Idempotency-Key, or with one too long or unprintable, the event is 422 and not applied."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    headers = dict(crew.tech) if key is None else {**crew.tech, "Idempotency-Key": key}
    response = client.post(f"/api/mobile/v1/visits/{visit.id}/events", json=event("accept"), headers=headers)
    assert response.status_code == 422 and "Idempotency-Key" in response.get_json()["errors"]
    assert visit_actions(visit.id) == []


def test_a_refused_event_keeps_no_key(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """A 409 is not stored: once the cause is fixed, the same key goes through."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    at = datetime.now(ZONE)
    assert post_event(client, crew.tech, visit.id, event("depart", at), key="d").status_code == 409
    assert post_event(client, crew.tech, visit.id, event("accept", at)).status_code == 201
    assert post_event(client, crew.tech, visit.id, event("depart", at), key="d").status_code == 201


def test_expired_keys_are_purged(app: Flask, client: FlaskClient, runner: FlaskCliRunner, crew: Crew) -> None:
    """`flask mobile purge-keys` deletes keys past IDEMPOTENCY_TTL_DAYS and keeps the rest."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    post_event(client, crew.tech, visit.id, event("accept"), key="old")
    post_event(client, crew.tech, visit.id, event("depart"), key="new")
    old = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "old"))
    old.expires_at = datetime.now(ZONE) - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["mobile", "purge-keys"])
    assert result.exit_code == 0 and "Purged 1 " in result.output
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["new"]


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_racing_duplicates_get_the_first_answer(app: Flask, crew: Crew) -> None:
    """20 concurrent sends of one key: every caller gets the same 201 body and one event is recorded."""
    visit_id, headers = published_visit(app, crew.network.technician, day=crew.day).id, crew.tech
    body = event("accept")
    barrier = threading.Barrier(20)
    answers: list[tuple[int, Any]] = []
    lock = threading.Lock()

    def send() -> None:
        client = app.test_client()
        barrier.wait()
        response = post_event(client, headers, visit_id, body, key="race")
        with lock:
            answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.remove()
    assert Counter(status for status, _ in answers) == {201: 20}, answers
    assert len({answer["event_id"] for _, answer in answers}) == 1
    assert visit_actions(visit_id) == ["accept"]


def test_sync_applies_in_time_order_and_answers_in_input_order(
    app: Flask, client: FlaskClient, crew: Crew
) -> None:
    """A shuffled offline batch with a duplicate is applied by `at`; results follow the order sent."""
    t0 = worked_since(timedelta(hours=1))
    visit = published_visit(app, crew.network.technician, day=t0.date())
    steps = ["accept", "depart", "arrive", "start"]
    batch = [
        {**event(kind, t0 + timedelta(minutes=n)), "idempotency_key": f"s-{kind}", "visit_id": visit.id}
        for n, kind in enumerate(steps)
    ]
    shuffled = [batch[2], batch[0], batch[3], batch[1], batch[0]]
    response = sync(client, crew.tech, shuffled)
    assert response.status_code == 200, response.get_json()
    results = response.get_json()["results"]
    assert [r["idempotency_key"] for r in results] == [
        "s-arrive",
        "s-accept",
        "s-start",
        "s-depart",
        "s-accept",
    ]
    assert [r["status"] for r in results] == ["applied", "applied", "applied", "applied", "replayed"]
    assert all(r["http_status"] == 201 for r in results)
    assert visit_actions(visit.id) == steps
    assert db.session.get(Visit, visit.id).status == "in_progress"

    again = sync(client, crew.tech, shuffled).get_json()["results"]
    assert {r["status"] for r in again} == {"replayed"}
    assert visit_actions(visit.id) == steps


def test_sync_keeps_late_events_as_stale(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Events older than the last applied one, or for a step already passed, are logged as stale."""
    t0 = worked_since(timedelta(hours=1))
    visit = published_visit(app, crew.network.technician, day=t0.date())
    for n, kind in enumerate(["accept", "depart", "arrive"]):
        post_event(client, crew.tech, visit.id, event(kind, t0 + timedelta(minutes=10 * n)))
    batch = [
        # Older than the arrival already applied: stale whatever it is.
        {**event("depart", t0 + timedelta(minutes=5)), "idempotency_key": "late", "visit_id": visit.id},
        # Newer, but the visit is already past it.
        {**event("accept", t0 + timedelta(minutes=40)), "idempotency_key": "passed", "visit_id": visit.id},
        # Newer and skipping a step: rejected, not stale.
        {**event("complete", t0 + timedelta(minutes=50)), "idempotency_key": "skip", "visit_id": visit.id},
    ]
    results = sync(client, crew.tech, batch).get_json()["results"]
    assert [(r["status"], r["http_status"]) for r in results] == [
        ("stale", 409),
        ("stale", 409),
        ("rejected", 409),
    ]
    assert visit_actions(visit.id) == ["accept", "depart", "arrive", "stale_depart", "stale_accept"]
    assert db.session.get(Visit, visit.id).status == "arrived"
    replay = sync(client, crew.tech, batch[:1]).get_json()["results"]
    assert replay[0]["status"] == "replayed"
    assert visit_actions(visit.id)[-1] == "stale_accept"


def test_sync_rejects_bad_events_without_failing_the_batch(
    app: Flask, client: FlaskClient, crew: Crew
) -> None:
    """A malformed event or someone else's visit is rejected on its own; the rest of the batch applies."""
    mine = published_visit(app, crew.network.technician, day=crew.day)
    theirs = published_visit(app, crew.other, day=crew.day)
    at = datetime.now(ZONE)
    batch = [
        {"type": "accept", "visit_id": mine.id, "idempotency_key": "no-time"},
        {**event("accept", at), "idempotency_key": "theirs", "visit_id": theirs.id},
        {**event("accept", at), "idempotency_key": "ok", "visit_id": mine.id},
        {**event("accept", at), "visit_id": mine.id},
    ]
    results = sync(client, crew.tech, batch).get_json()["results"]
    assert [(r["status"], r["http_status"]) for r in results] == [
        ("rejected", 422),
        ("rejected", 404),
        ("applied", 201),
        ("rejected", 422),
    ]
    assert "at" in results[0]["errors"] and "idempotency_key" in results[3]["errors"]
    assert visit_actions(mine.id) == ["accept"]


def test_sync_and_online_share_keys(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """An event sent online and then again in a sync batch with the same key is a replay."""
    visit = published_visit(app, crew.network.technician, day=crew.day)
    body = event("accept")
    online = post_event(client, crew.tech, visit.id, body, key="both-ways")
    results = sync(client, crew.tech, [{**body, "idempotency_key": "both-ways", "visit_id": visit.id}])
    result = results.get_json()["results"][0]
    assert (result["status"], result["result"]) == ("replayed", online.get_json())
    assert visit_actions(visit.id) == ["accept"]


@pytest.mark.parametrize("body", [{}, {"events": []}, {"events": "x"}])
def test_sync_needs_a_list_of_events(client: FlaskClient, crew: Crew, body: dict[str, Any]) -> None:
    """A batch that is not a non-empty list of events is 422."""
    response = client.post("/api/mobile/v1/sync", json=body, headers=crew.tech)
    assert response.status_code == 422 and "events" in response.get_json()["errors"]
