"""Planning a day over HTTP: running the optimizer, reading its routes and reasons, and publishing them."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from huey.storage import RedisStorage
from sqlalchemy import func, select

from app import create_app, tasks
from app.extensions import db
from app.models import Absence, Event, Order, PlanRun, Region, Technician, Visit
from app.services.events import SYSTEM, record_order_transition
from app.services.travel import travel_provider
from app.tasks import huey, start_consumer
from dispatch import OrderAction, transition
from routing.matrix import CachedProvider, GeodesicProvider, OSRMTableProvider, TravelTimeUnavailable
from tests.factories import token
from tests.integration.plan_network import PlanningNetwork, make_planning_network
from tests.services import REDIS_URL

PROBLEM = "application/problem+json"


@pytest.fixture
def net(app: Flask) -> PlanningNetwork:
    return make_planning_network()


@pytest.fixture
def office(client: FlaskClient, net: PlanningNetwork) -> dict[str, str]:
    return token(client, "dispatcher")


def count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def plan(client: FlaskClient, headers: dict[str, str], net: PlanningNetwork, **body: Any) -> dict[str, Any]:
    """Request a one-second plan of the network's day for XH and return it once done."""
    payload = {"date": net.day.isoformat(), "regions": ["XH"], "time_limit_s": 1, **body}
    response = client.post("/api/v1/plans", json=payload, headers=headers)
    assert response.status_code == 202, response.get_json()
    assert response.headers["Location"] == f"/api/v1/plans/{response.get_json()['id']}"
    shown = client.get(response.headers["Location"], headers=headers)
    assert shown.status_code == 200
    return shown.get_json()


def routes_by_order(result: dict[str, Any]) -> dict[int, tuple[str, dict[str, Any]]]:
    return {v["order_id"]: (r["technician"]["code"], v) for r in result["routes"] for v in r["visits"]}


def publish(client: FlaskClient, headers: dict[str, str], plan_id: int) -> Any:
    return client.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)


def snapshot() -> tuple[int, int, list[tuple[int, str]], list[tuple[Any, ...]]]:
    """Everything a refused publication must leave as it was."""
    db.session.expire_all()
    orders = [(o.id, o.status) for o in db.session.scalars(select(Order).order_by(Order.id))]
    visits = [
        (v.id, v.technician_id, v.planned_arrival, v.sequence, v.status)
        for v in db.session.scalars(select(Visit).order_by(Visit.id))
    ]
    return count(Event), count(Visit), orders, visits


def test_plan_runs_to_done_and_assigns_only_qualified_technicians(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """The air conditioner goes to T001, the sofa to a furniture technician; the boiler is explained."""
    result = plan(client, office, net)
    assert (result["status"], result["progress"]) == ("done", 100)
    assert result["started_at"] and result["finished_at"] and result["error"] is None
    assert result["regions"] == ["XH"] and result["date"] == net.day.isoformat()
    placed = routes_by_order(result)
    assert set(placed) == {net.sofa.id, net.aircon.id}
    assert placed[net.aircon.id][0] == "T001"
    assert placed[net.sofa.id][0] in {"T001", "T002"}
    (left,) = result["unassigned"]
    assert left["order_id"] == net.boiler.id
    assert left["reasons"][0]["code"] == "no_skilled_technician"
    assert "plumbing level 1" in left["reasons"][0]["detail"]
    assert result["totals"]["assigned"] == 2 and result["totals"]["unassigned"] == 1
    assert result["totals"]["travel_seconds"] > 0 and result["totals"]["travel_metres"] > 0


def test_every_planned_visit_is_within_its_window_shift_and_skills(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """Visits are in sequence, in local time with offset, inside their window and the 08:00-18:00 shift."""
    result = plan(client, office, net)
    for route in result["routes"]:
        tech = db.session.scalar(select(Technician).where(Technician.code == route["technician"]["code"]))
        levels = {s.skill.code: s.level for s in tech.skills}
        assert [v["sequence"] for v in route["visits"]] == list(range(1, len(route["visits"]) + 1))
        for visit in route["visits"]:
            order = db.session.get(Order, visit["order_id"])
            assert all(levels.get(s.skill.code, 0) >= s.min_level for s in order.skills)
            start, end = datetime.fromisoformat(visit["start"]), datetime.fromisoformat(visit["end"])
            window = (
                datetime.fromisoformat(visit["window_start"]),
                datetime.fromisoformat(visit["window_end"]),
            )
            assert visit["start"].endswith("+08:00")
            assert window[0] <= start <= window[1] and window[1] - window[0] == timedelta(hours=2)
            assert start.date() == net.day and start.hour >= 8 and end.hour * 60 + end.minute <= 18 * 60
            assert end - start == timedelta(minutes=order.duration_min)


def test_a_plan_of_every_region_explains_the_region_nobody_works_in(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """Without regions the plan covers all of them; PD's order is unassigned for want of technicians there."""
    result = plan(client, office, net, regions=None)
    assert result["regions"] == ["PD", "XH"]
    reasons = {u["order_id"]: u["reasons"][0] for u in result["unassigned"]}
    assert reasons[net.east_sofa.id]["code"] == "no_skilled_technician"
    assert "region PD has none" in reasons[net.east_sofa.id]["detail"]


def test_absent_technician_is_not_planned(client: FlaskClient, office, net: PlanningNetwork) -> None:
    """With T001 on leave, the air conditioner cannot be placed and the reason names the leave."""
    db.session.add(
        Absence(technician=net.network.technician, start_date=net.day, end_date=net.day, reason="training")
    )
    db.session.commit()
    result = plan(client, office, net)
    reasons = {u["order_id"]: u["reasons"][0] for u in result["unassigned"]}
    assert reasons[net.aircon.id]["code"] == "no_shift_covers_window"
    assert "absent: training" in reasons[net.aircon.id]["detail"]
    assert routes_by_order(result)[net.sofa.id][0] == "T002"


def test_failure_is_stored_and_never_left_running(
    client: FlaskClient, office, net: PlanningNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When travel times cannot be had, the plan ends failed with the reason, and nothing else changes."""

    class Unreachable:
        def matrix(self, sources, destinations):
            raise TravelTimeUnavailable("OSRM at http://osrm.invalid is unreachable")

    monkeypatch.setattr("app.services.days.travel_provider", lambda config, regions: Unreachable())
    before = snapshot()
    result = plan(client, office, net)
    assert result["status"] == "failed" and result["finished_at"]
    assert "osrm.invalid is unreachable" in result["error"]
    assert result["progress"] < 100 and "routes" not in result
    assert snapshot() == before
    assert publish(client, office, result["id"]).status_code == 409


def test_publish_creates_dispatched_visits_and_moves_orders(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """Publishing writes one visit per planned order and takes each order through schedule and dispatch."""
    result = plan(client, office, net)
    response = publish(client, office, result["id"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["published_by"] == "dispatcher" and body["published_at"]
    assert body["publication"]["visits_created"] == 2 and body["publication"]["skipped"] == []
    db.session.expire_all()
    for order_id, (code, planned) in routes_by_order(result).items():
        order = db.session.get(Order, order_id)
        assert order.status == "dispatched"
        (visit,) = order.visits
        assert visit.technician.code == code and visit.day == net.day and visit.status == "dispatched"
        assert visit.planned_arrival == datetime.fromisoformat(planned["start"])
        assert visit.sequence == planned["sequence"]
        assert visit.window_start == datetime.fromisoformat(planned["window_start"])
        actions = [
            (e.subject, e.action, e.to_state)
            for e in db.session.scalars(select(Event).where(Event.order_id == order_id).order_by(Event.id))
        ]
        assert actions[-3:] == [
            ("order", "schedule", "scheduled"),
            ("order", "dispatch", "dispatched"),
            ("visit", "plan", "dispatched"),
        ]
    assert db.session.get(Order, net.boiler.id).status == "awaiting_goods"
    assert db.session.get(Order, net.boiler.id).visits == []


def test_publishing_twice_is_a_conflict_that_changes_nothing(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """The second publication of the same plan is refused with 409."""
    result = plan(client, office, net)
    assert publish(client, office, result["id"]).status_code == 200
    before = snapshot()
    again = publish(client, office, result["id"])
    assert again.status_code == 409 and again.mimetype == PROBLEM
    assert "already published" in again.get_json()["detail"]
    assert snapshot() == before


def test_plan_made_before_an_overlapping_publication_is_refused(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """A plan of XH made before another XH plan of the day was published cannot be published after it."""
    older = plan(client, office, net)
    newer = plan(client, office, net, regions=["XH", "PD"])
    assert publish(client, office, newer["id"]).status_code == 200
    before = snapshot()
    refused = publish(client, office, older["id"])
    assert refused.status_code == 409
    assert refused.get_json()["published_plan"] == newer["id"]
    assert snapshot() == before
    assert db.session.get(PlanRun, older["id"]).published_at is None


def test_plans_of_other_regions_do_not_conflict(client: FlaskClient, office, net: PlanningNetwork) -> None:
    """Publishing PD's plan does not stop an older XH plan from being published."""
    west = plan(client, office, net)
    east = plan(client, office, net, regions=["PD"])
    assert publish(client, office, east["id"]).status_code == 200
    assert publish(client, office, west["id"]).status_code == 200


def test_a_later_plan_updates_the_same_visits(client: FlaskClient, office, net: PlanningNetwork) -> None:
    """Planning again after publishing keeps one visit per order, with the window the customer was given."""
    first = plan(client, office, net)
    assert publish(client, office, first["id"]).status_code == 200
    db.session.expire_all()
    windows = {v.order_id: (v.window_start, v.window_end) for v in db.session.scalars(select(Visit))}
    second = plan(client, office, net)
    for order_id, (_, planned) in routes_by_order(second).items():
        assert planned["promised"] is True
        assert (
            datetime.fromisoformat(planned["window_start"]),
            datetime.fromisoformat(planned["window_end"]),
        ) == (windows[order_id])
    assert publish(client, office, second["id"]).status_code == 200
    db.session.expire_all()
    assert count(Visit) == 2
    assert {o.status for o in db.session.scalars(select(Order).where(Order.id.in_(windows)))} == {
        "dispatched"
    }


@pytest.mark.parametrize("status", ["accepted", "en_route", "arrived", "in_progress"])
def test_publication_that_would_move_work_under_way_is_refused(
    client: FlaskClient, office, net: PlanningNetwork, status: str
) -> None:
    """A visit the technician has taken on since the plan was made cannot be moved by publishing it."""
    first = plan(client, office, net)
    assert publish(client, office, first["id"]).status_code == 200
    second = plan(client, office, net)
    db.session.expire_all()
    visit = db.session.get(Order, net.aircon.id).visits[0]
    visit.status = status
    visit.planned_arrival = visit.planned_arrival + timedelta(minutes=10)  # it started a little late
    db.session.commit()
    before = snapshot()
    refused = publish(client, office, second["id"])
    assert refused.status_code == 409
    assert refused.get_json()["order_id"] == net.aircon.id
    assert status.replace("_", " ") in refused.get_json()["detail"]
    assert snapshot() == before


def test_work_under_way_stays_with_its_technician(client: FlaskClient, office, net: PlanningNetwork) -> None:
    """A visit in progress is planned again with the same technician at the same time, and publishes as is."""
    first = plan(client, office, net)
    assert publish(client, office, first["id"]).status_code == 200
    db.session.expire_all()
    order = db.session.get(Order, net.sofa.id)
    visit = order.visits[0]
    visit.status = "in_progress"
    record_order_transition(order, transition(order.status, OrderAction.START), SYSTEM)
    db.session.commit()
    held = (visit.technician.code, visit.planned_arrival)
    second = plan(client, office, net)
    code, planned = routes_by_order(second)[net.sofa.id]
    assert (code, datetime.fromisoformat(planned["start"])) == held
    response = publish(client, office, second["id"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["publication"]["visits_unchanged"] >= 1
    db.session.expire_all()
    assert db.session.get(Order, net.sofa.id).visits[0].status == "in_progress"


def test_booked_window_is_kept_and_the_booking_dispatched(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """An order booked for 14:00-16:00 is planned inside that window and keeps it when published."""
    order = db.session.get(Order, net.sofa.id)
    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(net.day.year, net.day.month, net.day.day, 14, tzinfo=tz)
    visit = Visit(order=order, day=net.day, window_start=start, window_end=start + timedelta(hours=2))
    db.session.add(visit)
    record_order_transition(order, transition(order.status, OrderAction.SCHEDULE), SYSTEM)
    db.session.commit()
    result = plan(client, office, net)
    _, planned = routes_by_order(result)[net.sofa.id]
    assert planned["promised"] is True
    assert start <= datetime.fromisoformat(planned["start"]) <= start + timedelta(hours=2)
    assert publish(client, office, result["id"]).status_code == 200
    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    assert (visit.status, visit.window_start, visit.window_end) == (
        "dispatched",
        start,
        start + timedelta(hours=2),
    )
    assert visit.technician_id is not None
    last = db.session.scalars(
        select(Event).where(Event.visit_id == visit.id).order_by(Event.id.desc())
    ).first()
    assert (last.action, last.from_state, last.to_state) == ("dispatch", "booked", "dispatched")
    assert db.session.get(Order, net.sofa.id).status == "dispatched"


def test_cancelled_order_is_skipped_when_publishing(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """An order cancelled after the plan was made is left out of the publication, and said so."""
    result = plan(client, office, net)
    cancelled = client.post(
        f"/api/v1/orders/{net.sofa.id}/cancel", json={"reason": "changed mind"}, headers=office
    )
    assert cancelled.status_code == 200
    response = publish(client, office, result["id"])
    assert response.status_code == 200
    assert response.get_json()["publication"]["skipped"] == [
        {"order_id": net.sofa.id, "detail": "the order is now cancelled"}
    ]
    db.session.expire_all()
    assert db.session.get(Order, net.sofa.id).visits == []


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/v1/plans"), ("get", "/api/v1/plans/1"), ("post", "/api/v1/plans/1/publish")],
)
def test_plans_need_an_office_token(client: FlaskClient, net: PlanningNetwork, method: str, url: str) -> None:
    """No token is 401; a technician's token is 403."""
    assert getattr(client, method)(url).status_code == 401
    assert getattr(client, method)(url, headers=token(client, "T001")).status_code == 403


def test_region_scoped_dispatcher_sees_only_plans_of_their_regions(
    client: FlaskClient, office, net: PlanningNetwork
) -> None:
    """The PD dispatcher gets 404 for an XH plan, may not plan XH, and plans PD by default."""
    west = plan(client, office, net)
    east_headers = token(client, "east")
    assert client.get(f"/api/v1/plans/{west['id']}", headers=east_headers).status_code == 404
    assert publish(client, east_headers, west["id"]).status_code == 404
    refused = client.post(
        "/api/v1/plans", json={"date": net.day.isoformat(), "regions": ["XH"]}, headers=east_headers
    )
    assert refused.status_code == 422 and "regions" in refused.get_json()["errors"]
    own = plan(client, east_headers, net, regions=None)
    assert own["regions"] == ["PD"]
    assert client.get(f"/api/v1/plans/{own['id']}", headers=office).status_code == 200


def test_unknown_plan_is_404(client: FlaskClient, office) -> None:
    """A plan id that does not exist is answered 404 as problem+json."""
    response = client.get("/api/v1/plans/999999", headers=office)
    assert response.status_code == 404 and response.mimetype == PROBLEM


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-02-30"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({}, "date"),
        ({"date": "2031-03-04", "regions": ["XH", "NOWHERE"]}, "regions"),
        ({"date": "2031-03-04", "regions": []}, "regions"),
        ({"date": "2031-03-04", "time_limit_s": 0}, "time_limit_s"),
        ({"date": "2031-03-04", "time_limit_s": 601}, "time_limit_s"),
        ({"date": "2031-03-04", "time_limit_s": "soon"}, "time_limit_s"),
        ({"date": "2031-03-04", "vehicles": 3}, "vehicles"),
    ],
)
def test_bad_plan_requests_are_422_naming_the_field(
    client: FlaskClient, office, body: dict[str, Any], field: str
) -> None:
    """Bad dates, unknown regions, time limits outside 1-600 s and unknown fields are refused by name."""
    before = count(PlanRun)
    response = client.post("/api/v1/plans", json=body, headers=office)
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]
    if field == "regions" and body.get("regions"):
        assert "NOWHERE" in response.get_json()["errors"]["regions"][0]
    assert count(PlanRun) == before


@pytest.mark.redis
def test_plan_runs_through_the_redis_queue(redis_app: Flask) -> None:
    """With REDIS_URL set, a plan waits in Redis until the in-process consumer runs it to done."""
    net = make_planning_network()
    client = redis_app.test_client()
    headers = token(client, "dispatcher")
    body = {"date": net.day.isoformat(), "regions": ["XH"], "time_limit_s": 1}
    queued = client.post("/api/v1/plans", json=body, headers=headers)
    assert queued.status_code == 202
    assert (queued.get_json()["status"], queued.get_json()["progress"]) == ("queued", 0)
    assert isinstance(huey.storage, RedisStorage) and huey.pending_count() == 1

    start_consumer(redis_app)
    deadline = time.monotonic() + 60
    while True:
        db.session.expire_all()
        shown = client.get(queued.headers["Location"], headers=headers).get_json()
        if shown["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (shown["status"], shown["progress"]) == ("done", 100), shown
    assert set(routes_by_order(shown)) == {net.sofa.id, net.aircon.id}
    assert huey.pending_count() == 0


def test_travel_is_geodesic_at_the_regions_speed_and_cached_per_process() -> None:
    """Without OSRM_URL, travel runs at the regions' average speed, from one cache per setting."""
    slow = Region(code="A", speed_kmh=20.0, detour_factor=1.3)
    fast = Region(code="B", speed_kmh=40.0, detour_factor=1.5)
    provider = travel_provider({}, [slow, fast])
    assert isinstance(provider, CachedProvider)
    assert isinstance(provider.inner, GeodesicProvider)
    assert (provider.inner.speed_kmh, provider.inner.detour_factor) == (30.0, 1.4)
    assert travel_provider({}, [fast, slow]) is provider
    assert travel_provider({}, [slow]) is not provider


def test_travel_comes_from_osrm_when_configured() -> None:
    """With OSRM_URL set, the planner asks that server, through the same kind of cache."""
    provider = travel_provider({"OSRM_URL": "http://127.0.0.1:5000", "OSRM_PROFILE": "driving"}, [])
    assert isinstance(provider, CachedProvider) and isinstance(provider.inner, OSRMTableProvider)
    assert provider.inner.base_url == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    ("overrides", "consumes"),
    [
        ({"TESTING": False}, True),
        ({"TESTING": False, "HUEY_IN_PROCESS": False}, False),
        ({"TESTING": True}, False),
        ({"TESTING": False, "HUEY_IMMEDIATE": True}, False),
    ],
)
def test_only_a_served_embedded_app_consumes_its_queue(overrides: dict[str, Any], consumes: bool) -> None:
    """The first request starts a consumer unless testing, immediate or HUEY_IN_PROCESS is off."""
    config = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "REDIS_URL": REDIS_URL, "HUEY_IMMEDIATE": False}
    application = create_app({**config, **overrides})
    hooked = tasks._consume_in_process in application.before_request_funcs.get(None, [])
    assert hooked is consumes
    assert tasks._consumer is None  # creating the app, as every CLI command does, starts nothing
    with application.app_context():
        db.engine.dispose()


def test_run_whose_worker_died_is_reported_failed(client: FlaskClient, office, net: PlanningNetwork) -> None:
    """A run left "running" long past its time limit is shown as failed, interrupted, when next read."""
    stuck = PlanRun(
        day=net.day,
        region_codes=["XH"],
        time_zone="Asia/Shanghai",
        status="running",
        progress=40,
        time_limit_s=10,
        started_at=datetime.now(ZoneInfo("UTC")) - timedelta(hours=1),
    )
    db.session.add(stuck)
    db.session.commit()
    shown = client.get(f"/api/v1/plans/{stuck.id}", headers=office).get_json()
    assert shown["status"] == "failed" and "interrupted" in shown["error"] and shown["finished_at"]


def test_concurrent_publications_of_overlapping_plans_let_exactly_one_through(app: Flask) -> None:
    """Ten simultaneous publications of two XH plans of a day: one succeeds, nine get 409, visits once."""
    net = make_planning_network()
    client = app.test_client()
    headers = token(client, "dispatcher")
    plan_ids = [plan(client, headers, net)["id"] for _ in range(2)]
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    lock = threading.Lock()

    def publish_one(plan_id: int) -> None:
        own = app.test_client()
        barrier.wait()
        response = own.post(f"/api/v1/plans/{plan_id}/publish", headers=headers)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=publish_one, args=(plan_ids[n % 2],)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] + [409] * 9
    db.session.remove()
    assert count(Visit) == 2
    assert (
        db.session.scalar(select(func.count()).select_from(PlanRun).where(PlanRun.published_at.is_not(None)))
        == 1
    )
    plan_events = select(func.count()).select_from(Event).where(Event.action == "plan")
    assert db.session.scalar(plan_events) == 2
