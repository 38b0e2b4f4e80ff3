"""Configuration: sensible embedded defaults, overridden by the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

VENDOR = "/static/vendor"


def database_url(instance_path: str) -> str:
    """SQLite under the instance folder unless DATABASE_URL says otherwise."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'fieldops.sqlite'}"
    # Plain postgres URLs get the psycopg 3 driver that the project installs.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# One table, longer than a function should be: every setting and its default in one place to look up,
# grouped and commented where they are set.
# Longer on purpose: split into functions, the settings would only be harder to search.
def defaults(instance_path: str) -> dict[str, Any]:
    """Everything the product needs to run with no set-up at all."""
    return {
        # Production (FIELDOPS_ENV=production) refuses to start without a strong key; elsewhere a missing
        # key is made at random into instance/secret_key (see app/secret_key.py).
        "ENV": "development",
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),
        # Session cookies: never sent cross-site on a POST; only over HTTPS when Secure (None: in production).
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "API_TITLE": "Field service dispatch",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": f"{VENDOR}/swagger-ui-dist/",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            },
        },
        "PASSWORD_HASH_METHOD": "scrypt",
        "TOKEN_TTL_HOURS": 12,
        "BOOKING_TOKEN_MAX_AGE_DAYS": 90,
        "DEFAULT_PHONE_REGION": "CN",
        "SERVICE_PHONE": "",  # shown to a customer who finds no free time; empty: none shown
        "GEOCODER": "gazetteer",
        "NOMINATIM_USER_AGENT": "",
        "NOMINATIM_DOMAIN": "nominatim.openstreetmap.org",
        "NOMINATIM_COUNTRY_CODES": "cn",
        "BAIDU_AK": "",  # Baidu Maps' server-side API key, for GEOCODER=baidu
        "BAIDU_DOMAIN": "api.map.baidu.com",
        # Technicians' phones.
        # Failed sign-ins (API and console) allowed per window; one more attempt, right or wrong, is a 429.
        "LOGIN_RATE_LIMIT": "10/minute",  # per login from one address
        "LOGIN_ADDRESS_RATE_LIMIT": "20/minute",  # per address, whatever the login
        "LOGIN_ACCOUNT_RATE_LIMIT": "100/hour",  # per login, from all addresses together
        "PASSWORD_MIN_LENGTH": 10,  # and not among app/services/data/common_passwords.txt
        "IDEMPOTENCY_TTL_DAYS": 7,  # how long a phone may retry a request and get the first answer
        "ATTACHMENTS_DIR": str(Path(instance_path) / "attachments"),
        "ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
        "LOCATION_MIN_INTERVAL_S": 30,  # closer position pings are acknowledged and dropped
        "SYNC_MAX_EVENTS": 500,
        "ORDERS_PAGE_SIZE": 50,
        # Forms are checked for their CSRF token by the factory's own hook, which leaves /api/ alone; a
        # token lasts as long as the console session, so a board left open all day still works.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": None,
        # The console's map draws outlines, technicians and routes with no tiles unless a URL is given,
        # e.g. "https://tile.example.com/{z}/{x}/{y}.png".
        "MAP_TILE_URL": "",
        "MAP_TILE_ATTRIBUTION": "",
        "CONSOLE_LIVE_POLL_S": 10,
        "CONSOLE_PLAN_TIME_LIMIT_S": None,  # the Optimize button's search time; None: PLAN_TIME_LIMIT_S
        # Travel times: straight lines at each region's speed unless an OSRM server is configured.
        "OSRM_URL": os.environ.get("OSRM_URL", ""),
        "OSRM_PROFILE": "driving",
        "OSRM_TIMEOUT_S": 10.0,
        "TRAVEL_CACHE_PAIRS": 500_000,
        # Planning runs in the background: a SQLite queue under the instance folder, or Redis.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "HUEY_NAME": "fieldops",  # also the Redis key prefix, so several deployments can share a server
        "HUEY_IMMEDIATE": False,  # run tasks at once, in the caller (tests)
        "HUEY_IN_PROCESS": True,  # the served app runs its own consumer threads (the embedded set-up)
        "HUEY_WORKERS": 2,
        "PLAN_TIME_LIMIT_S": 30,
        "PLAN_PROCESSES": None,  # solver processes per plan; None: one per CPU
        # A worker running a plan beats this often; a run with no beat for the second is failed as abandoned.
        # Three beats missed and a margin for a slow database: a killed worker's run fails within 30 s.
        "PLAN_HEARTBEAT_S": 5.0,
        "PLAN_WORKER_GONE_AFTER_S": 20.0,
    }


def from_environment() -> dict[str, Any]:
    """FIELDOPS_* variables, JSON-decoded where they parse, for everything else."""
    from flask import Config

    config = Config(".")
    config.from_prefixed_env("FIELDOPS")
    return dict(config)
