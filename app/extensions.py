"""Extensions are created once here and bound to an app by its factory."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.problem import ProblemApi

# Stable constraint names, so migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = ProblemApi()
csrf = CSRFProtect()
login_manager = LoginManager()


def login_rate_key() -> str:
    """Count login attempts per login and address, so one guesser cannot lock everyone out."""
    body = request.get_json(silent=True)
    login = body.get("login") if isinstance(body, dict) else None
    return f"{login if isinstance(login, str) else ''}|{get_remote_address()}"


# Limits apply only where a view asks for one; the storage is chosen from the app's config.
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
