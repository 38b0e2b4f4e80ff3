"""A served demo city and a headless Chromium for the browser tests.

The app runs on a free localhost port in a thread (werkzeug's server) on its own SQLite database,
seeded with a small demo city through the same command as `make run`; plans run on the in-process
queue as when served.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.services import unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PASSWORD = "demo"


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """The demo city served on a free port: the app (for checks in the database) and its base URL."""
    from flask_migrate import upgrade

    from app import tasks

    folder = tmp_path_factory.mktemp("browser")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.sqlite'}",
            "SECRET_KEY": "browser-test-secret",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "HUEY_NAME": f"fieldops-browser-{uuid.uuid4().hex[:8]}",
            "HUEY_IMMEDIATE": False,
            "CONSOLE_PLAN_TIME_LIMIT_S": 3,
            "CONSOLE_LIVE_POLL_S": 2,
        }
    )
    with app.app_context():
        upgrade()
    seeded = app.test_cli_runner().invoke(
        args=["seed", "demo", "--technicians", "24", "--orders", "120", "--days", "3", "--password", PASSWORD]
    )
    assert seeded.exit_code == 0, seeded.output
    tasks.start_consumer(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        tasks.stop_consumer()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless; never a downloaded browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable("playwright", exc)
    if not os.access(CHROMIUM, os.X_OK):
        unavailable("chromium", FileNotFoundError(f"{CHROMIUM} is missing; `make test` installs it"))
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        unavailable("chromium", exc)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser, served) -> Iterator[object]:
    """A fresh browser page, 1600x1000, that fails the test on any script error."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
