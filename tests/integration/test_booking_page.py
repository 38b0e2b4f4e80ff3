"""The customer's booking page: both languages, and booking and cancelling with plain forms."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Order, Visit
from tests.factories import make_network
from tests.integration.booking_network import new_order


@pytest.fixture
def booking_url(client: FlaskClient) -> str:
    make_network()
    return f"/book/{new_order(client)['booking_token']}"


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]+)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


@pytest.mark.parametrize(
    ("accept", "title", "kind"),
    [("zh-CN,zh;q=0.9", "您的预约", "安装"), ("en-GB,en;q=0.8", "Your appointment", "Installation")],
)
def test_the_page_speaks_the_browsers_language(client: FlaskClient, booking_url, accept, title, kind) -> None:
    """Chinese or English is chosen from Accept-Language, and the slots are shown to choose from."""
    response = client.get(booking_url, headers={"Accept-Language": accept})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert title in html and kind in html and "Product SOFA-3" in html
    assert 'name="start"' in html and 'name="csrf_token"' in html


def test_the_language_link_switches_and_is_remembered(client: FlaskClient, booking_url) -> None:
    """?lang= overrides the browser and is kept in a cookie for the next visit."""
    chinese_browser = {"Accept-Language": "zh-CN"}
    switched = client.get(f"{booking_url}?lang=en", headers=chinese_browser)
    assert "Your appointment" in switched.get_data(as_text=True)
    assert "lang=en" in switched.headers["Set-Cookie"]
    assert "Your appointment" in client.get(booking_url, headers=chinese_browser).get_data(as_text=True)


def test_booking_and_cancelling_work_with_plain_forms(client: FlaskClient, booking_url) -> None:
    """Pressing a slot's button books it; the cancel form frees it; both redirect to the page."""
    html = client.get(booking_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    form = {"csrf_token": _field(html, "csrf_token"), "start": _field(html, "start")}
    booked = client.post(f"{booking_url}/appointment", data=form)
    assert booked.status_code == 303 and booked.headers["Location"].endswith("done=booked")
    page = client.get(booked.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your appointment is booked." in page and "Booked" in page
    assert db.session.scalar(select(Visit.status)) == "booked"
    assert db.session.scalar(select(Order.status)) == "scheduled"

    cancelled = client.post(f"{booking_url}/cancel", data={"csrf_token": _field(page, "csrf_token")})
    assert cancelled.status_code == 303
    assert db.session.scalar(select(Visit.status)) == "cancelled"
    assert db.session.scalar(select(Order.status)) == "ready_to_schedule"


def test_the_page_never_offers_the_slot_already_booked(client: FlaskClient, booking_url) -> None:
    """Once booked, the page offers other slots to move to, never the one the customer already holds."""
    html = client.get(booking_url).get_data(as_text=True)
    start = _field(html, "start")
    form = {"csrf_token": _field(html, "csrf_token"), "start": start}
    assert client.post(f"{booking_url}/appointment", data=form).status_code == 303
    page = client.get(booking_url).get_data(as_text=True)
    assert 'name="start"' in page
    assert f'value="{start}"' not in page


def test_moving_a_booking_says_it_was_moved(client: FlaskClient, booking_url) -> None:
    """A second booking moves the first; the page says so rather than "booked" again."""
    html = client.get(booking_url).get_data(as_text=True)
    client.post(
        f"{booking_url}/appointment",
        data={"csrf_token": _field(html, "csrf_token"), "start": _field(html, "start")},
    )
    page = client.get(booking_url).get_data(as_text=True)
    moved = client.post(
        f"{booking_url}/appointment",
        data={"csrf_token": _field(page, "csrf_token"), "start": _field(page, "start")},
    )
    assert moved.status_code == 303 and moved.headers["Location"].endswith("done=rescheduled")
    shown = client.get(moved.headers["Location"], headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "预约已改期" in shown


def test_a_form_without_its_csrf_token_changes_nothing(client: FlaskClient, booking_url) -> None:
    """A booking posted from elsewhere, without the page's token, is refused."""
    html = client.get(booking_url).get_data(as_text=True)
    response = client.post(f"{booking_url}/appointment", data={"start": _field(html, "start")})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_slot_not_offered_is_explained_on_the_page(client: FlaskClient, booking_url) -> None:
    """A tampered slot time re-renders the page with a message and books nothing."""
    html = client.get(booking_url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    form = {"csrf_token": _field(html, "csrf_token"), "start": "2020-01-01T08:00:00+08:00"}
    response = client.post(f"{booking_url}/appointment", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "cannot be booked" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_a_bad_link_shows_a_404_page(client: FlaskClient, booking_url) -> None:
    """A forged link gets a friendly 404 page, in the customer's language."""
    response = client.get("/book/forged-token", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert "链接无效" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "words"), [("zh-CN", "请致电 400-820-1234"), ("en", "call us on 400-820-1234")]
)
def test_a_customer_nobody_can_serve_is_given_the_number_to_call(
    client: FlaskClient, accept: str, words: str
) -> None:
    """With no free time at all, the page gives the seller's service number, in the customer's language."""
    from tests.factories import make_product, make_skill

    make_network()
    make_product("BOILER", {"install": (90, 1, [(make_skill("plumbing"), 1)])})
    db.session.commit()
    client.application.config["SERVICE_PHONE"] = "400-820-1234"
    order = new_order(client, items=[{"sku": "BOILER", "qty": 1}])
    page = client.get(f"/book/{order['booking_token']}", headers={"Accept-Language": accept})
    assert words in page.get_data(as_text=True)
