"""Fixtures: an app per database backend, its client and CLI runner, and the test network."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from app.extensions import db
from app.services.seeding import reset_database
from tests.services import create_postgres_database, drop_postgres_database, unavailable

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str | Exception]]:
    """One migrated database per backend for the whole run."""
    urls: dict[str, str | Exception] = {
        "sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}",
    }
    try:
        urls["postgresql"] = create_postgres_database()
    except Exception as exc:  # the server may simply not be running here
        urls["postgresql"] = exc
    for url in urls.values():
        if isinstance(url, str):
            _migrate(url)
    yield urls
    if isinstance(urls["postgresql"], str):
        drop_postgres_database(urls["postgresql"])


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(make_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()


def make_config(url: str) -> dict[str, object]:
    """The settings every test app shares."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "HUEY_IMMEDIATE": True,  # background tasks run in the request that queues them
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 40}
        if url.startswith("postgresql")
        else {},
    }


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Run the test once per database backend."""
    return request.param


@pytest.fixture
def app(backend: str, database_urls: dict[str, str | Exception]) -> Iterator[Flask]:
    """An app on an empty, migrated database of the backend under test."""
    url = database_urls[backend]
    if isinstance(url, Exception):
        unavailable(backend, url)
    assert isinstance(url, str)
    application = create_app(make_config(url))
    with application.app_context():
        yield application
        db.session.remove()
        reset_database()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
