"""Orders with booking links, on the standard test network, for the booking tests."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.factories import order_body, token

PROBLEM = "application/problem+json"


def new_order(client: FlaskClient, headers: dict[str, str] | None = None, **overrides: Any) -> dict[str, Any]:
    """Take an order in through the API and return it, with its booking_token."""
    headers = headers or token(client, "dispatcher")
    response = client.post("/api/v1/orders", json=order_body(**overrides), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def offered(client: FlaskClient, booking_token: str, **query: Any) -> list[dict[str, Any]]:
    """The slots offered to the order, best first."""
    response = client.get(f"/api/booking/v1/{booking_token}/slots", query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["slots"]
