"""Reaching the PostgreSQL and Redis servers, and giving each test run its own database on them."""

from __future__ import annotations

import os
import uuid

import pytest

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def services_required() -> bool:
    """With REQUIRE_SERVICES=1 a missing server fails the run instead of skipping its tests."""
    return os.environ.get("REQUIRE_SERVICES") == "1"


def unavailable(name: str, error: Exception) -> None:
    """Skip, or fail when services are required."""
    message = f"{name} is not reachable: {error}"
    if services_required():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def create_postgres_database() -> str:
    """A fresh, uniquely named database; other runs share the server."""
    import psycopg

    name = f"fieldops_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)


def drop_postgres_database(url: str) -> None:
    """Drop a test database, closing whatever still holds it open."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
