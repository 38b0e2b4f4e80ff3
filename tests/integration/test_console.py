"""The console's sign-in, CSRF protection, day board, manual moves, locks and live status."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Event, Order, Technician, TechnicianPosition, Visit
from tests.factories import PASSWORD, Network, make_network, make_technician
from tests.integration.console_helpers import at, csrf_token, next_weekday, sign_in, take_order

PROBLEM = "application/problem+json"


@pytest.fixture
def network(app: Flask) -> Network:
    net = make_network()
    make_technician("T002", net.west, [])  # works in the region but has no skill at all
    db.session.commit()
    return net


@pytest.fixture
def day():
    return next_weekday()


@pytest.fixture
def office(client: FlaskClient, network: Network) -> dict[str, str]:
    """A signed-in dispatcher's CSRF header."""
    return {"X-CSRFToken": sign_in(client)}


def test_console_redirects_to_login(client: FlaskClient, network: Network) -> None:
    """Without a session the console sends the browser to the login form, which has login and password."""
    response = client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/console/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="login"' in page and 'name="password"' in page


@pytest.mark.parametrize(
    ("login", "password", "status"),
    [
        ("dispatcher", PASSWORD, 302),
        ("admin", PASSWORD, 302),
        ("T001", PASSWORD, 403),
        ("dispatcher", "x", 401),
    ],
)
def test_only_office_roles_sign_in(
    client: FlaskClient, network: Network, login: str, password: str, status: int
) -> None:
    """Dispatchers and admins get a session; technicians and wrong passwords are refused."""
    token = csrf_token(client)
    response = client.post("/console/login", data={"login": login, "password": password, "csrf_token": token})
    assert response.status_code == status
    signed_in = client.get("/console/").status_code == 200
    assert signed_in is (status == 302)


def test_form_without_csrf_token_is_refused(client: FlaskClient, network: Network) -> None:
    """A form posted without its CSRF token is a 400 problem, and nobody is signed in."""
    response = client.post("/console/login", data={"login": "dispatcher", "password": PASSWORD})
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    assert client.get("/console/").status_code == 302


def test_json_api_needs_no_csrf_token(client: FlaskClient, network: Network) -> None:
    """The bearer-token API under /api/ is exempt from CSRF."""
    response = client.post("/api/v1/auth/tokens", json={"login": "dispatcher", "password": PASSWORD})
    assert response.status_code == 201


def test_console_json_post_needs_csrf_header(client: FlaskClient, office, day) -> None:
    """The console's own JSON endpoints take the token in a header."""
    order_id = take_order("CSRF-1", day=day)
    body = {"order_id": order_id, "technician_id": 1, "start": at(day, 9)}
    assert client.post("/console/api/moves", json=body).status_code == 400


def test_logout_ends_the_session(client: FlaskClient, office) -> None:
    """Signing out is a POST with the token; afterwards the console asks for a login again."""
    assert client.post("/console/logout", data={"csrf_token": office["X-CSRFToken"]}).status_code == 302
    assert client.get("/console/").status_code == 302


def test_console_api_answers_401_without_session(client: FlaskClient, network: Network) -> None:
    """JSON endpoints answer a problem instead of a redirect."""
    response = client.get("/console/api/board")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM


def test_index_shows_todays_board_of_first_region(client: FlaskClient, network: Network) -> None:
    """A dispatcher limited to PD lands on PD's board for today."""
    sign_in(client, "east")
    page = client.get("/console/").get_data(as_text=True)
    assert 'data-region="PD"' in page
    assert client.get("/console/board?region=XH").status_code == 404


def test_board_rows_shifts_lunch_and_queue(client: FlaskClient, office, network: Network, day) -> None:
    """Each technician has a row with shift and lunch; an open order waits in the queue with a reason."""
    order_id = take_order("Q-1", day=day)
    data = client.get(f"/console/api/board?region=XH&date={day}").get_json()
    rows = {t["code"]: t for t in data["technicians"]}
    assert set(rows) == {"T001", "T002"}
    assert rows["T001"]["shift"]["start"] == at(day, 8)
    assert rows["T001"]["lunch"]["minutes"] == 45
    (queued,) = data["unassigned"]
    assert queued["order_id"] == order_id
    assert queued["reasons"][0]["code"] == "not_planned"
    assert "T001" in queued["reasons"][0]["detail"]
    page = client.get(f"/console/board?region=XH&date={day}").get_data(as_text=True)
    assert f'data-order-id="{order_id}"' in page


def test_queue_explains_orders_nobody_can_take(client: FlaskClient, office, network: Network, day) -> None:
    """An order nobody in the region is skilled for says so, in the engine's words."""
    take_order(
        "Q-AC", sku="AC-SPLIT", lat=31.20, lon=121.55, postal_code=None, day=day
    )  # PD has no technicians
    data = client.get(f"/console/api/board?region=PD&date={day}").get_json()
    assert data["unassigned"][0]["reasons"][0]["code"] == "no_skilled_technician"


def test_move_to_qualified_technician_is_accepted(client: FlaskClient, office, network: Network, day) -> None:
    """The visit is created on the technician at the time, the order is dispatched and the move is logged."""
    order_id = take_order("M-1", day=day)
    body = {"order_id": order_id, "technician_id": network.technician.id, "start": at(day, 9)}
    response = client.post("/console/api/moves", json=body, headers=office)
    assert response.status_code == 200, response.get_json()
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order_id))
    assert visit.technician_id == network.technician.id
    assert visit.planned_arrival == datetime.fromisoformat(at(day, 9))
    assert visit.window_start <= visit.planned_arrival <= visit.window_end
    assert db.session.get(Order, order_id).status == "dispatched"
    actions = db.session.scalars(select(Event.action).where(Event.visit_id == visit.id)).all()
    assert "assign" in actions
    board = client.get(f"/console/api/board?region=XH&date={day}").get_json()
    assert [v["order_id"] for v in board["visits"]] == [order_id]
    assert board["unassigned"] == []


def test_move_to_unqualified_technician_is_refused(
    client: FlaskClient, office, network: Network, day
) -> None:
    """The engine's broken rules come back with the refusal and nothing changes."""
    order_id = take_order("M-2", day=day)
    unskilled = db.session.scalar(select(Technician).where(Technician.code == "T002"))
    body = {"order_id": order_id, "technician_id": unskilled.id, "start": at(day, 9)}
    response = client.post("/console/api/moves", json=body, headers=office)
    assert response.status_code == 409
    assert response.mimetype == PROBLEM
    codes = {v["code"] for v in response.get_json()["violations"]}
    assert "skill" in codes
    assert db.session.scalar(select(Visit).where(Visit.order_id == order_id)) is None


@pytest.mark.parametrize(
    ("hour", "code"),
    [(6, "shift"), (19, "shift")],
)
def test_move_outside_the_shift_is_refused(
    client: FlaskClient, office, network: Network, day, hour: int, code: str
) -> None:
    """Times the technician is not working are refused by the shift rule."""
    order_id = take_order(f"M-{hour}", day=day)
    body = {"order_id": order_id, "technician_id": network.technician.id, "start": at(day, hour)}
    response = client.post("/console/api/moves", json=body, headers=office)
    assert response.status_code == 409
    assert code in {v["code"] for v in response.get_json()["violations"]}


def test_moving_a_visit_keeps_its_promised_window(client: FlaskClient, office, network: Network, day) -> None:
    """A placed visit moves within its window, and a move outside it breaks the window rule."""
    order_id = take_order("W-1", day=day)
    tech = network.technician.id
    client.post(
        "/console/api/moves",
        json={"order_id": order_id, "technician_id": tech, "start": at(day, 9)},
        headers=office,
    )
    inside = client.post(
        "/console/api/moves",
        json={"order_id": order_id, "technician_id": tech, "start": at(day, 9, 30)},
        headers=office,
    )
    assert inside.status_code == 200
    outside = client.post(
        "/console/api/moves",
        json={"order_id": order_id, "technician_id": tech, "start": at(day, 15)},
        headers=office,
    )
    assert outside.status_code == 409
    assert "window" in {v["code"] for v in outside.get_json()["violations"]}
    visits = db.session.scalars(select(Visit).where(Visit.order_id == order_id)).all()
    assert len(visits) == 1
    assert "move" in db.session.scalars(select(Event.action).where(Event.visit_id == visits[0].id)).all()


def test_lock_and_unlock_a_visit(client: FlaskClient, office, network: Network, day) -> None:
    """A locked visit refuses moves until it is unlocked; both changes are logged."""
    order_id = take_order("L-1", day=day)
    tech = network.technician.id
    client.post(
        "/console/api/moves",
        json={"order_id": order_id, "technician_id": tech, "start": at(day, 9)},
        headers=office,
    )
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order_id))
    assert client.post(f"/console/api/visits/{visit.id}/lock", headers=office).get_json()["locked"] is True
    moved = client.post(
        "/console/api/moves",
        json={"order_id": order_id, "technician_id": tech, "start": at(day, 9, 30)},
        headers=office,
    )
    assert moved.status_code == 409
    assert client.post(f"/console/api/visits/{visit.id}/unlock", headers=office).get_json()["locked"] is False
    actions = db.session.scalars(select(Event.action).where(Event.visit_id == visit.id)).all()
    assert {"lock", "unlock"} <= set(actions)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"technician_id": 1, "start": "2026-01-05T09:00:00+08:00"}, "order_id"),
        ({"order_id": 1, "technician_id": 1}, "start"),
    ],
)
def test_move_validates_its_body(client: FlaskClient, office, body: dict, field: str) -> None:
    """A move without an order, technician or time is a 422 naming the field."""
    response = client.post("/console/api/moves", json=body, headers=office)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_live_status_and_map_layers(client: FlaskClient, office, network: Network, day) -> None:
    """The live feed reports each technician with work and each visit; the map draws outlines and routes."""
    order_id = take_order("LIVE-1", day=day)
    tech = network.technician.id
    client.post(
        "/console/api/moves",
        json={"order_id": order_id, "technician_id": tech, "start": at(day, 9)},
        headers=office,
    )
    live = client.get(f"/console/api/live?region=XH&date={day}").get_json()
    assert live["technicians"] == [{"id": tech, "status": "planned", "position": None}]
    assert live["visits"][0]["status"] == "dispatched"
    layers = client.get(f"/console/api/map?region=XH&date={day}").get_json()
    assert {r["code"] for r in layers["regions"]} == {"XH", "PD"}
    (route,) = layers["routes"]
    assert route["technician_id"] == tech
    assert len(route["points"]) == 3  # home, the visit, home
    assert client.get(f"/console/map?region=XH&date={day}").status_code == 200


def test_live_positions_and_order_photos(
    client: FlaskClient, office, network: Network, day, app: Flask, tmp_path
) -> None:
    """A phone's last position reaches the live feed, and a visit's photo shows on the order page."""
    order_id = take_order("PHOTO-1", day=day)
    tech = network.technician.id
    body = {"order_id": order_id, "technician_id": tech, "start": at(day, 9)}
    client.post("/console/api/moves", json=body, headers=office)
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order_id))
    now = datetime.now(UTC)
    db.session.add(TechnicianPosition(technician_id=tech, lat=31.2, lon=121.45, reported_at=now))
    app.config["ATTACHMENTS_DIR"] = str(tmp_path)
    (tmp_path / "photo-1.png").write_bytes(b"\x89PNG fake")
    db.session.add(
        Attachment(
            visit_id=visit.id,
            kind="photo",
            content_type="image/png",
            size_bytes=9,
            sha256="0" * 64,
            storage_name="photo-1.png",
        )
    )
    db.session.commit()
    live = client.get(f"/console/api/live?region=XH&date={day}").get_json()
    assert live["technicians"][0]["position"]["lat"] == 31.2
    page = client.get(f"/console/orders/{order_id}").get_data(as_text=True)
    (src,) = re.findall(r'<img src="([^"]+)"', page)
    with client.get(src) as response:  # a streamed file: closing the response closes it
        assert response.data == b"\x89PNG fake"
        assert response.headers["X-Content-Type-Options"] == "nosniff"  # never sniffed into HTML
