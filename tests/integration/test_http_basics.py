"""The app's HTTP surface: errors as problem+json, the OpenAPI document and its docs page."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


def test_unknown_url_is_a_problem(client: FlaskClient) -> None:
    """A 404 has the problem+json body every client parses."""
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.get_json()["status"] == 404 and response.get_json()["title"] == "Not Found"


def test_wrong_method_keeps_allow_header(client: FlaskClient) -> None:
    """A 405 says which methods would work."""
    response = client.delete("/api/v1/auth/tokens")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert "POST" in response.headers["Allow"]


def test_malformed_json_is_a_4xx_problem(client: FlaskClient) -> None:
    """A body that is not JSON is refused cleanly, not with a 500."""
    response = client.post("/api/v1/auth/tokens", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.mimetype == PROBLEM


def test_openapi_document_lists_the_contract(client: FlaskClient) -> None:
    """The OpenAPI document is served and documents the bearer scheme and the order endpoints."""
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/orders", "/api/v1/orders/{order_id}", "/api/v1/auth/tokens"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/api/v1/orders"]["post"]["security"] == [{"bearerAuth": []}]


def test_docs_page_uses_only_local_assets(client: FlaskClient) -> None:
    """The docs page loads its scripts and styles from this server, never a CDN."""
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the page should load Swagger UI"
    for asset in assets:
        assert asset.startswith("/"), asset
        with client.get(asset) as response:
            assert response.status_code == 200, asset


@pytest.mark.parametrize(
    "path", ["/api/v1/orders", "/api/v1/orders/1", "/api/v1/technicians", "/api/v1/regions"]
)
def test_office_endpoints_need_a_token(client: FlaskClient, path: str) -> None:
    """No token, 401 with a Bearer challenge."""
    response = client.get(path)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
