"""Logins: creating them and exchanging credentials for bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models import ROLES, ApiToken, Region, Technician, User, utcnow
from app.services.errors import Invalid, Unauthorized

COMMON_PASSWORDS = Path(__file__).parent / "data" / "common_passwords.txt"
# Checked against when the login is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """The secret is returned once and never stored."""

    token: str
    user: User
    expires_at: datetime


def create_user(
    *,
    login: str,
    password: str,
    role: str,
    technician_code: str | None = None,
    region_codes: Sequence[str] = (),
    demo_password: bool = False,
) -> User:
    """Create a login, checking its password and the links a role needs.

    Only the demo's seed passes demo_password=True, so that its logins can share the printed password `demo`.
    """
    errors: dict[str, str] = {}
    login = login.strip()
    if not login:
        errors["login"] = "must not be empty"
    elif db.session.scalar(select(User.id).where(User.login == login)) is not None:
        errors["login"] = f"login {login!r} is taken"
    weakness = None if demo_password else password_weakness(password)
    if weakness:
        errors["password"] = weakness
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}"
    technician = _technician_to_link(errors, technician_code, role)
    regions = _regions_to_link(errors, region_codes)
    if errors:
        raise Invalid(errors)
    user = User(
        login=login,
        password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]),
        role=role,
        technician=technician,
        regions=regions,
    )
    db.session.add(user)
    db.session.commit()
    return user


def password_weakness(password: str) -> str | None:
    """Why a new password would be easy to guess, or None."""
    min_length = int(current_app.config["PASSWORD_MIN_LENGTH"])
    if len(password) < min_length:
        return f"must be at least {min_length} characters"
    if password.strip().lower() in _common_passwords():
        return "is one of the most common passwords; choose another"
    return None


def _common_passwords() -> set[str]:
    # Read at each new login: logins are made rarely, and the file is small.
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}


def _technician_to_link(errors: dict[str, str], technician_code: str | None, role: str) -> Technician | None:
    technician = None
    if technician_code:
        technician = db.session.scalar(select(Technician).where(Technician.code == technician_code))
        if technician is None:
            errors["technician"] = f"no technician with code {technician_code!r}"
        elif db.session.scalar(select(User.id).where(User.technician_id == technician.id)) is not None:
            errors["technician"] = f"technician {technician_code!r} already has a login"
    if role == "technician" and not technician_code:
        errors["technician"] = "a technician login must name its technician"
    return technician


def _regions_to_link(errors: dict[str, str], region_codes: Sequence[str]) -> list[Region]:
    regions = list(db.session.scalars(select(Region).where(Region.code.in_(region_codes))))
    missing = sorted(set(region_codes) - {r.code for r in regions})
    if missing:
        errors["region"] = f"unknown region(s): {', '.join(missing)}"
    return regions


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(*, login: str, password: str) -> User:
    """The active user with these credentials; one message for every failure, so logins do not leak."""
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        raise Unauthorized("wrong login or password")
    if not check_password_hash(user.password_hash, password) or not user.active:
        raise Unauthorized("wrong login or password")
    return user


def issue_token(*, user: User, ttl: timedelta) -> IssuedToken:
    """A new bearer token for a user who has just signed in."""
    secret = secrets.token_urlsafe(32)
    expires_at = utcnow() + ttl
    db.session.add(ApiToken(user=user, token_hash=_hash(secret), expires_at=expires_at))
    db.session.commit()
    return IssuedToken(token=secret, user=user, expires_at=expires_at)


def user_for_token(token: str) -> User | None:
    """The active user behind a live token, or None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    return row.user


def revoke_token(token: str) -> bool:
    """Log a device out; True when there was a live token to revoke."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    db.session.commit()
    return True
