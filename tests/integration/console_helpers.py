"""Signing a test client into the console and posting with the page's CSRF token."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from app.services.events import Actor
from app.services.orders import OrderIntake, SiteInput, create_order
from routing import GazetteerGeocoder
from tests.factories import PASSWORD

SHANGHAI = ZoneInfo("Asia/Shanghai")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, path: str = "/console/login") -> str:
    """The CSRF token a page of the console carries."""
    page = client.get(path).get_data(as_text=True)
    found = CSRF_META.search(page) or CSRF_FIELD.search(page)
    assert found, page[:500]
    return found.group(1)


def sign_in(client: FlaskClient, login: str = "dispatcher", password: str = PASSWORD) -> str:
    """Sign in through the form; returns the token for the session's later posts."""
    response = client.post(
        "/console/login", data={"login": login, "password": password, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return csrf_token(client, "/console/")


def next_weekday(start: date | None = None) -> date:
    """The next Monday-to-Saturday day, when the test technicians work."""
    day = (start or datetime.now(SHANGHAI).date()) + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> str:
    """A Shanghai wall-clock time as the console sends it."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).isoformat()


def take_order(
    ref: str,
    *,
    day: date,
    sku: str = "SOFA-3",
    lat: float = 31.19,
    lon: float = 121.44,
    postal_code: str | None = "200030",
) -> int:
    """An order (in the west region unless told otherwise) whose goods are due by the day."""
    intake = OrderIntake(
        channel="test",
        external_ref=ref,
        kind="install",
        customer_name=f"Customer {ref}",
        customer_phone=f"+86138{abs(hash(ref)) % 10**8:08d}",
        customer_email=None,
        site=SiteInput(address=f"{ref} Zhaojiabang Road", lat=lat, lon=lon, postal_code=postal_code),
        items=((sku, 1),),
        earliest_start=day,
    )
    order, _ = create_order(
        intake=intake, actor=Actor(type="system", name="test"), geocoder=GazetteerGeocoder([]), scope=None
    )
    return order.id
