"""The Flask application: factory, extensions and blueprints."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import event

from app import converters, inputs
from app import headers as security_headers
from app.config import defaults, from_environment
from app.extensions import api as rest_api
from app.extensions import csrf, db, login_manager, migrate
from app.problem import problem_response
from app.secret_key import configure_secret_key
from app.services.errors import Invalid, ServiceError
from app.services.sign_in import LoginThrottle

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build an app; tests pass a config, everyone else gets defaults and the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(defaults(app.instance_path))
    app.config.from_mapping(from_environment())
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.instance_path, exist_ok=True)
    configure_secret_key(app)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # customers' names are mostly not ASCII

    converters.init_app(app)
    _bind_extensions(app)
    inputs.init_app(app)
    app.before_request(_protect_forms)
    security_headers.init_app(app)
    app.register_error_handler(ServiceError, _service_error)
    _register_blueprints_cli_and_tasks(app)

    from app.services.geocoding import build_geocoder
    from app.services.sla_policies import RegionCalendars

    app.extensions["fieldops.geocoder"] = build_geocoder(app.config)
    app.extensions["fieldops.calendars"] = RegionCalendars()
    return app


def _bind_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)
    with app.app_context():
        _tune_sqlite(db.engine)
    rest_api.init_app(app)
    # With Redis, every server process counts failed sign-ins against the same limits.
    app.extensions["fieldops.login_throttle"] = LoginThrottle(
        redis_url=app.config.get("REDIS_URL") or "", key_prefix=f"{app.config['HUEY_NAME']}:logins"
    )
    csrf.init_app(app)
    login_manager.init_app(app)


def _register_blueprints_cli_and_tasks(app: Flask) -> None:
    from app import cli, tasks
    from app.api import BLUEPRINTS
    from app.booking import api_blp as booking_api
    from app.booking import page_bp as booking_page
    from app.console import register_console
    from mobile_api import BLUEPRINTS as MOBILE_BLUEPRINTS
    from mobile_api import cli as mobile_cli

    for blueprint in (*BLUEPRINTS, booking_api, *MOBILE_BLUEPRINTS):
        rest_api.register_blueprint(blueprint)
    app.register_blueprint(booking_page)
    cli.init_app(app)
    mobile_cli.init_app(app)
    register_console(app)
    tasks.init_app(app)


def _service_error(error: ServiceError) -> Any:
    errors = error.errors if isinstance(error, Invalid) else None
    headers = dict(error.headers)
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return problem_response(
        error.status,
        title=error.title,
        detail=error.detail,
        errors=errors,
        headers=headers,
        extra=error.extra,
    )


def _protect_forms() -> None:
    """Every form posted to the app needs its CSRF token; the JSON API under /api/ uses bearer tokens."""
    if current_app.config["WTF_CSRF_ENABLED"] and not request.path.startswith("/api/"):
        csrf.protect()


def _tune_sqlite(engine: Any) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
