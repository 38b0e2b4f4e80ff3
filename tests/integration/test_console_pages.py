"""The console's order page, Optimize and publish, and administration pages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Order, Technician, User, Visit
from tests.factories import Network, make_network
from tests.integration.console_helpers import next_weekday, sign_in, take_order


@pytest.fixture
def network(app: Flask) -> Network:
    return make_network()


@pytest.fixture
def day():
    return next_weekday()


@pytest.fixture
def office(client: FlaskClient, network: Network) -> str:
    """A signed-in dispatcher's CSRF token."""
    return sign_in(client)


def field_errors(page: str) -> dict[str, str]:
    """The messages shown next to fields, by field."""
    return dict(re.findall(r'class="field-error" id="e-([^"]+)">([^<]+)<', page))


def test_order_page_shows_details_and_history(client: FlaskClient, office: str, day) -> None:
    """The order page names the customer and lists the audit log's events."""
    order_id = take_order("P-1", day=day)
    page = client.get(f"/console/orders/{order_id}").get_data(as_text=True)
    assert "Customer P-1" in page
    assert 'data-action="await_goods"' in page or 'data-action="release"' in page


def test_hold_needs_a_reason_shown_next_to_the_field(client: FlaskClient, office: str, day) -> None:
    """Holding without a reason re-shows the page with the message beside the reason field."""
    order_id = take_order("P-2", day=day)
    response = client.post(
        f"/console/orders/{order_id}/status", data={"action": "hold", "csrf_token": office}
    )
    assert response.status_code == 422
    assert "reason" in response.get_data(as_text=True)
    assert db.session.get(Order, order_id).status != "on_hold"


@pytest.mark.parametrize(
    ("steps", "final"),
    [
        ([("hold", "customer abroad")], "on_hold"),
        ([("hold", "customer abroad"), ("resume", "")], "ready_to_schedule"),
        ([("cancel", "bought elsewhere")], "cancelled"),
    ],
)
def test_hold_cancel_and_reopen(client: FlaskClient, office: str, day, steps, final: str) -> None:
    """Each button goes through the lifecycle and lands the order in the expected status."""
    order_id = take_order("P-3", day=day)
    for action, reason in steps:
        data = {"action": action, "reason": reason, "csrf_token": office}
        assert client.post(f"/console/orders/{order_id}/status", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, order_id).status == final


def test_optimize_review_and_publish(client: FlaskClient, office: str, network: Network, day) -> None:
    """A plan run from the board is reviewed against the day and, once published, is the schedule."""
    order_id = take_order("O-1", day=day)
    headers = {"X-CSRFToken": office}
    started = client.post(
        "/console/api/plans", json={"region": "XH", "date": day.isoformat()}, headers=headers
    )
    assert started.status_code == 202
    plan = client.get(f"/console/api/plans/{started.get_json()['id']}?region=XH").get_json()
    assert plan["status"] == "done"
    review = plan["review"]
    assert [a["order_id"] for a in review["assigned"]] == [order_id]
    assert review["before"]["assigned"] == 0 and review["after"]["assigned"] == 1
    assert review["after"]["travel_seconds"] > 0
    (change,) = review["technicians"]
    assert change["technician"] == "T001" and change["added"] == [order_id]
    assert (change["visits_before"], change["visits_after"], change["removed"]) == (0, 1, [])
    published = client.post(f"/console/api/plans/{plan['id']}/publish", headers=headers)
    assert published.status_code == 200
    visit = db.session.scalar(select(Visit).where(Visit.order_id == order_id))
    assert visit.technician_id == network.technician.id


def test_dispatchers_cannot_open_administration(client: FlaskClient, office: str) -> None:
    """Administration is for the admin role only."""
    assert client.get("/console/admin/technicians").status_code == 403


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/console/admin/technicians", 403, "Forbidden"),
        ("/console/orders/999999", 404, "order 999999"),
        ("/console/board?region=ZZ", 404, "ZZ"),
        ("/console/board?date=garbage", 422, "is not a date"),
        ("/console/no-such-page", 404, "Not Found"),
    ],
)
def test_console_errors_are_pages_with_a_way_back(
    client: FlaskClient, office: str, path: str, status: int, words: str
) -> None:
    """A dispatcher who follows a bad link sees a console page that says what went wrong, not raw JSON."""
    response = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == status and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert words in page and 'href="/console/"' in page and "Sign out" in page


def test_console_json_errors_stay_problems(client: FlaskClient, office: str) -> None:
    """The board's own calls (/console/api/...) still get problem+json they can read."""
    response = client.get("/console/api/board?region=ZZ", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "/console/admin/technicians",
        "/console/admin/technicians/new",
        "/console/admin/regions",
        "/console/admin/regions/new",
        "/console/admin/products",
        "/console/admin/products/new",
    ],
)
def test_admin_pages_open(client: FlaskClient, network: Network, path: str) -> None:
    """Every administration page renders for an admin."""
    sign_in(client, "admin")
    assert client.get(path).status_code == 200


def technician_form(token: str, **overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "csrf_token": token,
        "code": "T050",
        "name": "Zhang Wei",
        "phone": "+8613800000050",
        "home_lat": "31.2",
        "home_lon": "121.45",
        "primary_region": "XH",
        "help_regions": ["PD"],
        "skill_furniture_assembly": "2",
        "shift_0_start": "08:00",
        "shift_0_end": "17:00",
        "crew_size": "1",
        "van_volume_l": "3000",
        "lunch_start": "11:30",
        "lunch_end": "13:30",
        "lunch_minutes": "45",
        "absence_start": ["2030-01-02"],
        "absence_end": ["2030-01-03"],
        "absence_reason": ["training"],
    }
    form.update(overrides)
    return form


def test_admin_creates_edits_and_deactivates_a_technician(client: FlaskClient, network: Network) -> None:
    """A technician is created with skills, regions, shifts and an absence, edited, then deactivated."""
    token = sign_in(client, "admin")
    assert client.post("/console/admin/technicians/new", data=technician_form(token)).status_code == 302
    tech = db.session.scalar(select(Technician).where(Technician.code == "T050"))
    assert [(s.skill.code, s.level) for s in tech.skills] == [("furniture_assembly", 2)]
    assert [r.code for r in tech.help_regions] == ["PD"]
    assert [(s.weekday, s.start_time.hour) for s in tech.shifts] == [(0, 8)]
    assert tech.absences[0].reason == "training"
    edited = technician_form(token, skill_furniture_assembly="3", shift_1_start="09:00", shift_1_end="18:00")
    assert client.post(f"/console/admin/technicians/{tech.id}", data=edited).status_code == 302
    db.session.expire_all()
    assert tech.skills[0].level == 3 and len(tech.shifts) == 2
    path = f"/console/admin/technicians/{network.technician.id}/deactivate"
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert network.technician.active is False
    login = db.session.scalar(select(User).where(User.technician_id == network.technician.id))
    assert login.active is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "T001"}, "code"),
        ({"name": ""}, "name"),
        ({"home_lat": "north"}, "home_lat"),
        ({"primary_region": "NOPE"}, "primary_region"),
        ({"skill_furniture_assembly": "5"}, "skills"),
        ({"shift_0_end": "07:00"}, "shift_0"),
        ({"lunch_minutes": "300"}, "lunch"),
    ],
)
def test_technician_validation_messages_sit_next_to_fields(
    client: FlaskClient, network: Network, overrides: dict[str, str], field: str
) -> None:
    """Each rule broken is named beside its field and nothing is saved."""
    token = sign_in(client, "admin")
    response = client.post("/console/admin/technicians/new", data=technician_form(token, **overrides))
    assert response.status_code == 422
    assert field in field_errors(response.get_data(as_text=True))
    assert db.session.scalar(select(Technician).where(Technician.code == "T050")) is None


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"code": "XH", "name": "Dup", "time_zone": "Asia/Shanghai", "postal_codes": "299999"}, "code"),
        ({"code": "NEW", "name": "N", "time_zone": "Mars/Olympus", "postal_codes": "299999"}, "time_zone"),
        ({"code": "NEW", "name": "N", "time_zone": "Asia/Shanghai", "polygon": "[[1, 2]]"}, "polygon"),
        (
            {"code": "NEW", "name": "N", "time_zone": "Asia/Shanghai", "postal_codes": "200030"},
            "postal_codes",
        ),
    ],
)
def test_region_validation(client: FlaskClient, network: Network, form: dict[str, str], field: str) -> None:
    """Regions need a unique code, a real time zone, a valid outline and postal codes of their own."""
    token = sign_in(client, "admin")
    response = client.post("/console/admin/regions/new", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert field in field_errors(response.get_data(as_text=True))


def test_admin_creates_a_region_and_a_product(client: FlaskClient, network: Network) -> None:
    """A new region with an outline and a product with its work are saved and listed."""
    token = sign_in(client, "admin")
    region = {
        "code": "JA",
        "name": "Jing'an",
        "time_zone": "Asia/Shanghai",
        "polygon": "[[121.43, 31.22], [121.47, 31.22], [121.47, 31.25], [121.43, 31.25]]",
        "csrf_token": token,
    }
    assert client.post("/console/admin/regions/new", data=region).status_code == 302
    product = {
        "sku": "DESK-1",
        "name": "Desk",
        "volume_l": "200",
        "work_install_minutes": "40",
        "work_install_skills": "furniture_assembly:1",
        "csrf_token": token,
    }
    assert client.post("/console/admin/products/new", data=product).status_code == 302
    listing = client.get("/console/admin/products").get_data(as_text=True)
    assert "DESK-1" in listing
    bad = {**product, "sku": "DESK-2", "work_install_skills": "juggling:1"}
    response = client.post("/console/admin/products/new", data=bad)
    assert response.status_code == 422
    assert "work_install" in field_errors(response.get_data(as_text=True))
