"""Failed sign-ins are limited per login and per address, on the API and the console, in Redis or memory."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from tests.conftest import make_config
from tests.factories import PASSWORD, Network, make_network
from tests.integration.console_helpers import csrf_token
from tests.services import REDIS_URL, unavailable

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def network(app: Flask) -> Network:
    return make_network()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Wall-clock time that a test can move forward: clock[0] seconds are added to time.time()."""
    real, offset = time.time, [0.0]
    monkeypatch.setattr(time, "time", lambda: real() + offset[0])
    return offset


def api_login(client: FlaskClient, login: str, password: str, address: str = "10.0.0.1"):
    """POST /api/v1/auth/tokens from a given address."""
    return client.post(
        "/api/v1/auth/tokens",
        json={"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def console_login(client: FlaskClient, login: str, password: str):
    """Post the console's sign-in form."""
    data = {"login": login, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/console/login", data=data)


def test_api_guessing_one_login_stays_refused_until_the_window_passes(
    client: FlaskClient, network: Network, clock: list[float]
) -> None:
    """30 wrong passwords, then the right one: 429 problem+json with Retry-After, until the minute is over."""
    statuses = [api_login(client, "dispatcher", f"wrong-{n}").status_code for n in range(30)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    refused = api_login(client, "dispatcher", PASSWORD)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert api_login(client, "admin", PASSWORD).status_code == 201  # another login from the address
    clock[0] += 61
    assert api_login(client, "dispatcher", PASSWORD).status_code == 201


def test_api_one_password_across_many_logins_is_limited(client: FlaskClient, network: Network) -> None:
    """Spraying one password over 30 logins from one address is cut off; other addresses are not."""
    statuses = [api_login(client, f"user{n}", "Spring2024!").status_code for n in range(30)]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
    assert api_login(client, "dispatcher", PASSWORD).status_code == 429
    assert api_login(client, "dispatcher", PASSWORD, address="10.0.0.2").status_code == 201


def test_console_guessing_is_refused_with_a_page(client: FlaskClient, network: Network) -> None:
    """30 wrong console passwords, then the right one: a 429 page that says to wait, and no session."""
    statuses = [console_login(client, "dispatcher", f"wrong-{n}").status_code for n in range(30)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    refused = console_login(client, "dispatcher", PASSWORD)
    assert refused.status_code == 429 and refused.mimetype == "text/html"
    assert "Too many failed sign-ins" in refused.get_data(as_text=True) and "Retry-After" in refused.headers
    assert client.get("/console/").status_code == 302  # still signed out


def test_console_and_api_share_the_count(client: FlaskClient, network: Network) -> None:
    """Failures on the console count against the API too: one guesser, one budget."""
    for n in range(10):
        assert console_login(client, "dispatcher", f"wrong-{n}").status_code == 401
    assert api_login(client, "dispatcher", PASSWORD, address="127.0.0.1").status_code == 429


def test_a_right_password_does_not_count(client: FlaskClient, network: Network) -> None:
    """Only failures are counted: a dispatcher who signs in often is never limited."""
    assert all(api_login(client, "dispatcher", PASSWORD).status_code == 201 for _ in range(15))


@pytest.fixture
def app_pair(backend: str, database_urls: dict[str, str | Exception]) -> Iterator[tuple[Flask, Flask]]:
    """Two apps, as two server workers, on one database and one live Redis with this test's own prefix."""
    url = database_urls[backend]
    if isinstance(url, Exception):
        unavailable(backend, url)
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as probe:
            probe.ping()
    except redis.RedisError as exc:
        unavailable("redis", exc)
    name = f"fieldops-test-{uuid.uuid4().hex[:8]}"
    config = {**make_config(str(url)), "REDIS_URL": REDIS_URL, "HUEY_NAME": name}
    first, second = create_app(config), create_app(config)
    with first.app_context():
        make_network()
        yield first, second
        from app.services.seeding import reset_database

        db.session.remove()
        reset_database()
        db.engine.dispose()
    with second.app_context():
        db.engine.dispose()
    with redis.Redis.from_url(REDIS_URL) as server:
        keys = list(server.scan_iter(f"{name}*"))
        if keys:
            server.delete(*keys)


@pytest.mark.redis
def test_workers_share_the_count_in_redis(app_pair: tuple[Flask, Flask]) -> None:
    """With REDIS_URL, failures on one worker count on the other: 10 in all, not 10 each."""
    first, second = (application.test_client() for application in app_pair)
    for n in range(5):
        assert api_login(first, "dispatcher", f"wrong-{n}").status_code == 401
        assert api_login(second, "dispatcher", f"wrong-{n}").status_code == 401
    assert api_login(first, "dispatcher", PASSWORD).status_code == 429
    assert api_login(second, "dispatcher", PASSWORD).status_code == 429


def test_redis_down_counts_in_memory_with_a_warning(
    backend: str, database_urls: dict[str, str | Exception], caplog: pytest.LogCaptureFixture
) -> None:
    """Redis unreachable: sign-ins still answer 201/401 (never 500), limited in memory, with one warning."""
    url = database_urls[backend]
    if isinstance(url, Exception):
        unavailable(backend, url)
    application = create_app({**make_config(str(url)), "REDIS_URL": DEAD_REDIS})
    client = application.test_client()
    with application.app_context():
        make_network()
        try:
            with caplog.at_level(logging.WARNING, logger=application.logger.name):
                assert api_login(client, "dispatcher", PASSWORD).status_code == 201
                statuses = [api_login(client, "dispatcher", "wrong").status_code for _ in range(12)]
        finally:
            from app.services.seeding import reset_database

            db.session.remove()
            reset_database()
            db.engine.dispose()
    assert statuses == [401] * 10 + [429] * 2
    warnings = [r for r in caplog.records if "counted in memory" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].exc_info is None
