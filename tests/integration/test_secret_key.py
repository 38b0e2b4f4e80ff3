"""The key that signs sessions: refused when weak in production, made once per instance elsewhere."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.secret_key import SecretKeyError, configure_secret_key

STRONG = "q7Vd1mZr9KxT3pLw8NcY2bHf6GsJ0aUe4RtXoPiE"


def production(key: str) -> dict[str, object]:
    """Settings of a production app on a throwaway database."""
    return {"ENV": "production", "SECRET_KEY": key, "SQLALCHEMY_DATABASE_URI": "sqlite://"}


@pytest.mark.parametrize("key", ["", "dev-only-secret-change-me", "test-secret", "short-key", "a" * 40])
def test_production_refuses_a_missing_or_weak_key(key: str) -> None:
    """No key, a published, short or repetitive one: the app does not start, and says how to fix it."""
    with pytest.raises(SecretKeyError, match=r"secrets\.token_urlsafe\(48\)"):
        create_app(production(key))


def test_production_starts_with_a_strong_key() -> None:
    """A long random key is accepted as it is."""
    assert create_app(production(STRONG)).secret_key == STRONG


def test_the_demo_makes_its_own_key_once(tmp_path: Path) -> None:
    """Outside production a missing key is made at random into instance/secret_key (0600) and reused."""
    first, second = (Flask(__name__, instance_path=str(tmp_path)) for _ in range(2))
    for application in (first, second):
        application.config["SECRET_KEY"] = ""
        configure_secret_key(application)
    key_file = tmp_path / "secret_key"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(str(first.secret_key)) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_configured_key_is_kept_outside_production(tmp_path: Path) -> None:
    """Tests and development keep the key they are given, and no file is written."""
    application = Flask(__name__, instance_path=str(tmp_path))
    application.config["SECRET_KEY"] = "test-secret"
    configure_secret_key(application)
    assert application.secret_key == "test-secret" and not (tmp_path / "secret_key").exists()
