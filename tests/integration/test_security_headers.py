"""Security headers over HTTP: no framing or sniffing anywhere, a content policy for console and booking."""

from __future__ import annotations

import re

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from tests.conftest import make_config
from tests.factories import PASSWORD, Network, make_network
from tests.integration.booking_network import new_order
from tests.integration.console_helpers import csrf_token, sign_in

STRONG_KEY = "q7Vd1mZr9KxT3pLw8NcY2bHf6GsJ0aUe4RtXoPiE"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+=", re.IGNORECASE)


@pytest.fixture
def network(app: Flask) -> Network:
    return make_network()


@pytest.mark.parametrize("path", ["/console/login", "/api/v1/regions", "/api/openapi.json", "/book/forged"])
def test_nothing_is_sniffed_or_framed(client: FlaskClient, network: Network, path: str) -> None:
    """Every answer, page or JSON, forbids content sniffing and framing."""
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_and_answers_with_personal_data_are_never_cached(client: FlaskClient, network: Network) -> None:
    """Names, phones and addresses stay out of shared and browser caches; static files may be cached."""
    pages = [f"/book/{new_order(client)['booking_token']}", "/console/login", "/api/v1/regions"]
    for path in pages:
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    with client.get("/static/booking.css") as static:
        assert static.headers.get("Cache-Control") != "no-store"


def test_booking_pages_keep_their_url_to_themselves(client: FlaskClient, network: Network) -> None:
    """A booking page (its URL is a credential): strict CSP, no framing, no Referer, no inline script."""
    path = f"/book/{new_order(client)['booking_token']}"
    for response in (client.get(path), client.get("/book/forged")):
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "style-src 'self'" in policy and "form-action 'self'" in policy
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert not INLINE_SCRIPT.search(response.get_data(as_text=True))


def test_console_pages_run_only_their_own_scripts(app: Flask, client: FlaskClient, network: Network) -> None:
    """Console pages have a CSP of script-src 'self', and no inline script or handler to break under it."""
    sign_in(client, "admin")
    with app.test_request_context():
        pages = [
            url_for(endpoint)
            for endpoint in ("console.board_page", "console.map_page", "console.unplaced_orders")
        ] + [url_for("console.admin_technicians")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, page
        assert not INLINE_SCRIPT.search(response.get_data(as_text=True)), page


def test_the_map_tile_server_is_allowed_for_images(app: Flask, client: FlaskClient, network: Network) -> None:
    """A configured tile server's origin (with {s} subdomains) is the one foreign image source."""
    app.config["MAP_TILE_URL"] = "https://{s}.tiles.example.com/{z}/{x}/{y}.png"
    policy = client.get("/console/login").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tiles.example.com;" in policy


def test_the_session_cookie_is_lax_and_not_secure_over_plain_http_in_tests(
    client: FlaskClient, network: Network
) -> None:
    """SameSite=Lax and HttpOnly always; Secure is off outside production so `make run` works over HTTP."""
    data = {"login": "dispatcher", "password": PASSWORD, "csrf_token": csrf_token(client)}
    cookie = client.post("/console/login", data=data).headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie and "Secure" not in cookie


def test_production_session_cookies_are_secure(
    backend: str, database_urls: dict[str, str | Exception]
) -> None:
    """In production the session cookie is Secure; SESSION_COOKIE_SECURE can set it anywhere."""
    url = database_urls[backend]
    if isinstance(url, Exception):
        pytest.skip(str(url))
    production = create_app({**make_config(str(url)), "ENV": "production", "SECRET_KEY": STRONG_KEY})
    explicit = create_app({**make_config(str(url)), "SESSION_COOKIE_SECURE": True})
    plain = create_app(make_config(str(url)))
    assert [a.config["SESSION_COOKIE_SECURE"] for a in (production, explicit, plain)] == [True, True, False]
    with production.app_context():
        client = production.test_client()
        cookie = client.get("/console/login").headers.get("Set-Cookie", "")
        assert "Secure" in cookie and "SameSite=Lax" in cookie
    for application in (production, explicit, plain):
        with application.app_context():
            db.engine.dispose()
