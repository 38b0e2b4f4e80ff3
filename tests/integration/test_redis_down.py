"""With Redis unreachable the app degrades: no 500, 503 where the queue is needed, a quiet consumer."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.models import PlanRun
from app.services.seeding import reset_database
from app.tasks import start_consumer, stop_consumer
from tests.conftest import make_config
from tests.factories import PASSWORD, token
from tests.integration.plan_network import PlanningNetwork, make_planning_network
from tests.services import unavailable

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_redis_app(backend: str, database_urls: dict[str, str | Exception]) -> Iterator[Flask]:
    """An app whose REDIS_URL (queue and login counts) points at a port where nothing listens."""
    url = database_urls[backend]
    if isinstance(url, Exception):
        unavailable(backend, url)
    application = create_app({**make_config(str(url)), "REDIS_URL": DEAD_REDIS, "HUEY_IMMEDIATE": False})
    with application.app_context():
        yield application
        db.session.remove()
        reset_database()
        db.engine.dispose()


@pytest.fixture
def net(dead_redis_app: Flask) -> PlanningNetwork:
    return make_planning_network()


def test_logging_in_works_without_redis(dead_redis_app: Flask, net: PlanningNetwork) -> None:
    """POST /api/v1/auth/tokens answers 201 and 401, never 500, while Redis is down."""
    client = dead_redis_app.test_client()
    good = client.post("/api/v1/auth/tokens", json={"login": "dispatcher", "password": PASSWORD})
    bad = client.post("/api/v1/auth/tokens", json={"login": "dispatcher", "password": "wrong-password"})
    assert (good.status_code, bad.status_code) == (201, 401)


def test_queueing_a_plan_is_503_and_the_run_failed(dead_redis_app: Flask, net: PlanningNetwork) -> None:
    """A plan cannot be queued: 503 problem+json naming the run, which is stored failed, not left queued."""
    client = dead_redis_app.test_client()
    headers = token(client, "dispatcher")
    response = client.post("/api/v1/plans", json={"date": net.day.isoformat()}, headers=headers)
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert "Retry-After" in response.headers
    run = db.session.get(PlanRun, response.get_json()["plan_id"])
    assert run is not None and run.status == "failed" and "could not queue" in (run.error or "")


def test_the_consumer_backs_off_quietly(dead_redis_app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    """In 3 s against a dead Redis the in-process consumer logs one warning and no traceback."""
    with caplog.at_level(logging.DEBUG, logger="huey"):
        start_consumer(dead_redis_app)
        try:
            time.sleep(3)
        finally:
            stop_consumer()
    tracebacks = [r for r in caplog.records if r.exc_info]
    warnings = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert tracebacks == [] and len(warnings) == 1
