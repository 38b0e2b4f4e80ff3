"""Logging in for a token, and the role rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import ApiToken, utcnow
from tests.factories import PASSWORD, make_network, token


@pytest.fixture
def network(app):
    return make_network()


@pytest.mark.parametrize("login", ["admin", "dispatcher", "T001"])
def test_token_for_each_role(client: FlaskClient, network, login: str) -> None:
    """Every role logs in and learns its role and the expiry."""
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert body["role"] == network.users["technician" if login == "T001" else login].role
    assert len(body["token"]) > 30 and body["expires_at"].endswith("+00:00")


@pytest.mark.parametrize(("login", "password"), [("dispatcher", "wrong"), ("nobody", PASSWORD)])
def test_wrong_credentials_are_401(client: FlaskClient, network, login: str, password: str) -> None:
    """Unknown login and wrong password look the same, and no token is stored."""
    response = client.post("/api/v1/auth/tokens", json={"login": login, "password": password})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({"password": "x"}, "login"), ({"login": "x"}, "password"), ({"login": "", "password": "x"}, "login")],
)
def test_missing_credentials_are_422(client: FlaskClient, network, body: dict, field: str) -> None:
    """A malformed login request names the field."""
    response = client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_technician_token_cannot_use_the_office_api(client: FlaskClient, network) -> None:
    """Technician tokens open only the mobile API: 403 on /api/v1."""
    response = client.get("/api/v1/orders", headers=token(client, "T001"))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic abc", "Bearer", ""])
def test_bad_tokens_are_401(client: FlaskClient, network, header: str) -> None:
    """A token that is not ours, or not a bearer token at all, is 401."""
    assert client.get("/api/v1/orders", headers={"Authorization": header}).status_code == 401


def test_expired_token_is_401(client: FlaskClient, network) -> None:
    """A token past its expiry stops working."""
    headers = token(client, "dispatcher")
    assert client.get("/api/v1/regions", headers=headers).status_code == 200
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/api/v1/regions", headers=headers).status_code == 401


def test_revoked_token_is_401(client: FlaskClient, network) -> None:
    """Logging out revokes the token at once; revoking twice is 401."""
    headers = token(client, "dispatcher")
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/regions", headers=headers).status_code == 401
    assert client.delete("/api/v1/auth/tokens/current", headers=headers).status_code == 401
