"""One technician, one day: plans of several regions never put a helper in two places, and plans start now."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import ShiftPattern, Visit, utcnow
from app.services.days import day_clashes
from app.services.regions import find_region, local_today
from app.services.travel import travel_provider
from routing.geo import Point
from tests.factories import Network, make_network, token
from tests.integration.console_helpers import sign_in, take_order
from tests.integration.plan_network import add_order, plan_day_for

ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def net(app: Flask) -> Network:
    """The test network with T001 of XH also helping PD, and four sofas to assemble in each region."""
    network = make_network()
    network.technician.help_regions = [network.east]
    db.session.commit()
    day = plan_day_for(network.west)
    for n in range(4):
        add_order(f"XH-{n}", "SOFA-3", 31.18 + 0.01 * n, 121.44, day)
        add_order(f"PD-{n}", "SOFA-3", 31.18 + 0.01 * n, 121.52, day)
    return network


@pytest.fixture
def office(client: FlaskClient, net: Network) -> dict[str, str]:
    return token(client, "dispatcher")


def run_plan(client: FlaskClient, headers: dict[str, str], regions: list[str], **body: Any) -> dict[str, Any]:
    """A one-second plan of the network's day for the regions, once done."""
    day = plan_day_for(find_region("XH"))
    payload = {"date": day.isoformat(), "regions": regions, "time_limit_s": 1, **body}
    created = client.post("/api/v1/plans", json=payload, headers=headers)
    assert created.status_code == 202, created.get_json()
    shown = client.get(created.headers["Location"], headers=headers).get_json()
    assert shown["status"] == "done", shown
    return shown


def the_day(client: FlaskClient, headers: dict[str, str], technician_id: int) -> dict[str, Any]:
    day = plan_day_for(find_region("XH"))
    response = client.get(f"/api/v1/technicians/{technician_id}/day?date={day}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_plans_of_two_regions_published_in_turn_never_double_book_a_helper(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """XH then PD, each planned and published: T001's day across both has no overlap and room to drive."""
    first = run_plan(client, office, ["XH"])
    assert client.post(f"/api/v1/plans/{first['id']}/publish", headers=office).status_code == 200
    second = run_plan(client, office, ["PD"])
    assert client.post(f"/api/v1/plans/{second['id']}/publish", headers=office).status_code == 200
    day = the_day(client, office, net.technician.id)
    assert {v["region"] for v in day["visits"]} == {"XH", "PD"}
    spans = [(datetime.fromisoformat(v["start"]), datetime.fromisoformat(v["end"])) for v in day["visits"]]
    assert spans == sorted(spans)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start
    assert day_clashes([net.technician.id], plan_day_for(net.west)) == {}
    assert [v["sequence"] for v in day["visits"]] == list(range(1, len(day["visits"]) + 1))


def test_publishing_a_plan_that_overlaps_visits_published_since_is_409(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """Both regions planned before either was published: the second publication would double-book T001."""
    xh = run_plan(client, office, ["XH"])
    pd = run_plan(client, office, ["PD"])
    assert client.post(f"/api/v1/plans/{pd['id']}/publish", headers=office).status_code == 200
    before = [(v.id, v.technician_id, v.planned_arrival) for v in db.session.query(Visit).order_by(Visit.id)]
    refused = client.post(f"/api/v1/plans/{xh['id']}/publish", headers=office)
    assert refused.status_code == 409, refused.get_json()
    assert refused.get_json()["clashes"][0]["technician"] == "T001"
    db.session.expire_all()
    after = [(v.id, v.technician_id, v.planned_arrival) for v in db.session.query(Visit).order_by(Visit.id)]
    assert after == before


def test_a_plan_places_nothing_before_its_from(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """A plan `from` 15:31 on its day has every arrival at or after 15:31, and says from when it planned."""
    day = plan_day_for(net.west)
    start = datetime.combine(day, time(15, 31), tzinfo=ZONE)
    shown = run_plan(client, office, ["XH", "PD"], **{"from": start.isoformat()})
    arrivals = [datetime.fromisoformat(v["arrival"]) for r in shown["routes"] for v in r["visits"]]
    assert arrivals and min(arrivals) >= start
    assert datetime.fromisoformat(shown["from"]) == start


def test_a_from_on_another_day_is_422(client: FlaskClient, office: dict[str, str], net: Network) -> None:
    """`from` must fall on the plan's day."""
    day = plan_day_for(net.west)
    body = {"date": day.isoformat(), "from": f"{day + timedelta(days=1)}T09:00:00+08:00", "time_limit_s": 1}
    response = client.post("/api/v1/plans", json=body, headers=office)
    assert response.status_code == 422
    assert "from" in response.get_json()["errors"]


def test_a_plan_during_the_day_sets_out_from_the_visit_under_way(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """T001 is at a PD customer's at 14:00; a plan from 15:31 routes him on from there, not from home."""
    day = plan_day_for(net.west)
    under_way = add_order("PD-ON-SITE", "SOFA-3", 31.22, 121.58, day)
    began = datetime.combine(day, time(15), tzinfo=ZONE)
    visit = Visit(
        order=under_way,
        technician_id=net.technician.id,
        day=day,
        window_start=began - timedelta(hours=1),
        window_end=began + timedelta(hours=1),
        planned_arrival=began,
        sequence=1,
        status="in_progress",
    )
    db.session.add(visit)
    db.session.commit()
    start = datetime.combine(day, time(15, 31), tzinfo=ZONE)
    shown = run_plan(client, office, ["XH"], **{"from": start.isoformat()})
    (route,) = shown["routes"]
    first = route["visits"][0]
    # Free at 16:00 when the hour's work is done, then the drive from the PD site.
    assert datetime.fromisoformat(first["arrival"]) >= began + timedelta(minutes=60)
    assert under_way.id not in {v["order_id"] for r in shown["routes"] for v in r["visits"]}
    assert datetime.fromisoformat(route["departure"]) >= began + timedelta(minutes=60)
    provider = travel_provider(client.application.config, [net.west])
    site = Point(31.22, 121.58)
    first_site = Point(lat=31.18, lon=121.44)  # close to every XH order and to T001's home
    travel = provider.matrix([site], [first_site]).seconds[0, 0]
    least = began + timedelta(minutes=60, seconds=int(travel) * 0.8)
    assert datetime.fromisoformat(first["arrival"]) >= least


def test_the_technician_day_needs_a_visible_technician(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """An unknown technician is 404; a bad date is 422."""
    day = plan_day_for(net.west)
    assert client.get(f"/api/v1/technicians/999999/day?date={day}", headers=office).status_code == 404
    bad = client.get(f"/api/v1/technicians/{net.technician.id}/day?date=soon", headers=office)
    assert bad.status_code == 422


def test_the_board_shows_a_helpers_visits_in_other_regions_read_only(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """After PD's plan is published, XH's board shows T001's PD visits, marked with their region."""
    pd = run_plan(client, office, ["PD"])
    assert client.post(f"/api/v1/plans/{pd['id']}/publish", headers=office).status_code == 200
    sign_in(client)
    day = plan_day_for(net.west)
    board = client.get(f"/console/api/board?region=XH&date={day}").get_json()
    assert board["elsewhere"], board
    assert {v["region"] for v in board["elsewhere"]} == {"PD"}
    assert {v["technician_id"] for v in board["elsewhere"]} == {net.technician.id}
    assert not {v["id"] for v in board["elsewhere"]} & {v["id"] for v in board["visits"]}


def test_a_move_into_the_past_of_today_is_refused(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """Today, a visit cannot be placed at a time that has already gone by."""
    today = local_today(net.west)
    order_id = take_order("TODAY", day=today)
    csrf = {"X-CSRFToken": sign_in(client)}
    midnight = datetime.combine(today, time(0), tzinfo=ZONE)
    past = max(utcnow() - timedelta(minutes=5), midnight).astimezone(ZONE).isoformat()
    body = {"order_id": order_id, "technician_id": net.technician.id, "start": past}
    response = client.post("/console/api/moves", json=body, headers=csrf)
    assert response.status_code == 409, response.get_json()
    assert "past" in {v["code"] for v in response.get_json()["violations"]}


def test_a_plan_for_today_places_nothing_before_the_moment_it_runs(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """Without `from`, a plan of today starts when it runs: it says so, and no arrival is earlier."""
    today = local_today(net.west)
    for shift in net.technician.shifts:
        db.session.delete(shift)
    db.session.flush()
    first, last = time(0), time(23, 59)
    net.technician.shifts = [ShiftPattern(weekday=d, start_time=first, end_time=last) for d in range(7)]
    db.session.commit()
    add_order("NOW-1", "SOFA-3", 31.19, 121.44, today)
    asked = utcnow()
    body = {"date": today.isoformat(), "regions": ["XH"], "time_limit_s": 1}
    created = client.post("/api/v1/plans", json=body, headers=office)
    shown = client.get(created.headers["Location"], headers=office).get_json()
    assert shown["status"] == "done", shown
    start = datetime.fromisoformat(shown["from"])
    assert asked <= start <= utcnow()
    arrivals = [datetime.fromisoformat(v["arrival"]) for r in shown["routes"] for v in r["visits"]]
    assert all(arrival >= start for arrival in arrivals)


def test_a_day_that_has_passed_cannot_be_planned(
    client: FlaskClient, office: dict[str, str], net: Network
) -> None:
    """A plan for yesterday is refused with a 422 naming the date."""
    yesterday = local_today(net.west) - timedelta(days=1)
    response = client.post("/api/v1/plans", json={"date": yesterday.isoformat()}, headers=office)
    assert response.status_code == 422
    assert "date" in response.get_json()["errors"]
