"""The key that signs console sessions and booking links: never one known outside the installation.

In production (FIELDOPS_ENV=production) the key must come from SECRET_KEY and be strong, or the app refuses to
start. Anywhere else (the demo, development) a missing key is made once, at random, into instance/secret_key
(mode 0600) and read back by every later start and every worker of the same instance folder.
Tests pass their own.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask

MIN_LENGTH = 32
HOW_TO_MAKE_ONE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
# Keys published in this project's code and docs, and the usual placeholders: each signs forged sessions.
KNOWN_KEYS = frozenset(
    {"dev-only-secret-change-me", "test-secret", "secret", "changeme", "change-me", "dev", "development"}
)


class SecretKeyError(RuntimeError):
    """The production app has no usable SECRET_KEY; the message says how to make one."""


def is_production(app: Flask) -> bool:
    """Production is asked for by name (FIELDOPS_ENV=production); the demo and tests are not production."""
    return str(app.config.get("ENV", "")).lower() == "production"


def configure_secret_key(app: Flask) -> None:
    """Check the configured key in production; elsewhere, supply the instance's own when none is set."""
    key = app.config.get("SECRET_KEY")
    if is_production(app):
        problem = weakness(key)
        if problem:
            raise SecretKeyError(
                f"FIELDOPS_ENV=production needs a strong SECRET_KEY: {problem}. "
                f"Make one with: {HOW_TO_MAKE_ONE}"
            )
    elif not key:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def weakness(key: object) -> str | None:
    """Why a key would let sessions be forged, or None for a good one."""
    if not key:
        return "it is not set"
    text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
    if text.strip().lower() in KNOWN_KEYS:
        return "it is a published, well-known value"
    if len(text) < MIN_LENGTH:
        return f"it has {len(text)} characters, fewer than {MIN_LENGTH}"
    if len(set(text)) < 8:
        return "it repeats too few characters to be random"
    return None


def instance_secret_key(instance: Path) -> str:
    """The instance folder's random key: made on first use, then shared by every process using it."""
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two workers starting at once, one writes the key and the other reads it.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:  # the other worker has created the file but not written it yet
        time.sleep(0.2)
        key = path.read_text().strip()
    if len(key) < MIN_LENGTH:
        raise SecretKeyError(f"{path} holds no usable key; delete it to have a new one made")
    return key
