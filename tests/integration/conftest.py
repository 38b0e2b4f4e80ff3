"""Fixtures shared by the integration tests: an app whose queue is Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from app import create_app
from app.extensions import db
from app.services.seeding import reset_database
from app.tasks import huey, stop_consumer
from tests.conftest import make_config
from tests.services import REDIS_URL, unavailable


@pytest.fixture
def redis_app(backend: str, database_urls: dict[str, str | Exception]) -> Iterator[Flask]:
    """An app whose queue is Redis under a name of its own, with no immediate mode."""
    url = database_urls[backend]
    if isinstance(url, Exception):
        unavailable(backend, url)
    assert isinstance(url, str)
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as probe:
            probe.ping()
    except redis.RedisError as exc:
        unavailable("redis", exc)
    name = f"fieldops_test_{uuid.uuid4().hex[:12]}"
    config = {**make_config(url), "HUEY_IMMEDIATE": False, "REDIS_URL": REDIS_URL, "HUEY_NAME": name}
    application = create_app(config)
    with application.app_context():
        try:
            yield application
        finally:
            stop_consumer()
            huey.storage.flush_all()
            with redis.Redis.from_url(REDIS_URL) as server:
                for key in server.scan_iter(f"huey.*{name}*"):
                    server.delete(key)
            db.session.remove()
            reset_database()
            db.engine.dispose()
