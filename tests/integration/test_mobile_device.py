"""The phone as a device: position pings, logging in and out, and the bare liveness check."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import TechnicianPosition
from tests.factories import PASSWORD
from tests.integration.mobile_day import ZONE, Crew, event, make_crew, post_event, published_visit


@pytest.fixture
def crew(app: Flask, client: FlaskClient, tmp_path: Path) -> Crew:
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return make_crew(client)


def ping(client: FlaskClient, crew: Crew, at: datetime, lat: float = 31.2, lon: float = 121.45) -> dict:
    response = client.post(
        "/api/mobile/v1/location", json={"lat": lat, "lon": lon, "at": at.isoformat()}, headers=crew.tech
    )
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def test_position_pings_are_throttled(client: FlaskClient, crew: Crew) -> None:
    """Pings under 30 s after the last one kept, or older than it, are acknowledged and dropped."""
    t0 = datetime.now(ZONE)
    assert ping(client, crew, t0) == {"stored": True}
    assert ping(client, crew, t0 + timedelta(seconds=10), lat=31.3) == {"stored": False}
    assert ping(client, crew, t0 - timedelta(minutes=5), lat=31.3) == {"stored": False}
    assert ping(client, crew, t0 + timedelta(seconds=31), lat=31.25) == {"stored": True}
    db.session.expire_all()
    position = db.session.get(TechnicianPosition, crew.network.technician.id)
    assert (position.lat, position.reported_at) == (31.25, t0 + timedelta(seconds=31))


def test_departing_updates_the_position(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """The place a technician sets off from is their last known position."""
    visit = published_visit(app, crew.network.technician, day=crew.day, status="accepted")
    post_event(client, crew.tech, visit.id, event("depart", lat=31.21, lon=121.46))
    position = db.session.get(TechnicianPosition, crew.network.technician.id)
    assert (position.lat, position.lon) == (31.21, 121.46)


@pytest.mark.parametrize(
    "body",
    [{"lat": 31.2, "lon": 121.4}, {"lat": 91, "lon": 121.4, "at": "2026-11-23T09:00:00+08:00"}, {"at": "x"}],
)
def test_bad_pings_are_422(client: FlaskClient, crew: Crew, body: dict) -> None:
    """A ping without a time, off the globe, or with a malformed time is refused."""
    response = client.post("/api/mobile/v1/location", json=body, headers=crew.tech)
    assert response.status_code == 422


def test_logging_out_revokes_the_token(client: FlaskClient, crew: Crew) -> None:
    """After DELETE /session the phone's token is refused."""
    assert client.delete("/api/mobile/v1/session", headers=crew.tech).status_code == 204
    assert client.get("/api/mobile/v1/visits", headers=crew.tech).status_code == 401


def test_login_attempts_are_rate_limited(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """Past the limit a login from one address is 429 problem+json; another login is still let in."""
    app.config["LOGIN_RATE_LIMIT"] = "3/minute"
    attempts = [
        client.post("/api/v1/auth/tokens", json={"login": "T001", "password": "wrong"}) for _ in range(3)
    ]
    assert [r.status_code for r in attempts] == [401, 401, 401]
    blocked = client.post("/api/v1/auth/tokens", json={"login": "T001", "password": PASSWORD})
    assert blocked.status_code == 429 and blocked.mimetype == "application/problem+json"
    assert blocked.get_json()["status"] == 429 and "Retry-After" in blocked.headers
    other = client.post("/api/v1/auth/tokens", json={"login": "T002", "password": PASSWORD})
    assert other.status_code == 201


def test_ping_needs_nothing(client: FlaskClient) -> None:
    """The liveness check answers without a token or a database."""
    response = client.get("/api/mobile/v1/ping")
    assert (response.status_code, response.get_json()) == (200, {"ok": True})
