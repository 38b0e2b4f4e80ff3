"""Exchanging a login and password for a bearer token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import marshmallow as ma
from flask import current_app, request
from flask_smorest import Blueprint

from app.schemas import fields
from app.security import bearer_token
from app.services.errors import Unauthorized
from app.services.sign_in import sign_in
from app.services.users import issue_token, revoke_token

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Bearer tokens")


class CredentialsIn(ma.Schema):
    login = fields.String(required=True, validate=ma.validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=ma.validate.Length(min=1, max=200), load_only=True)


class TokenOut(ma.Schema):
    token = fields.String()
    role = fields.String()
    expires_at = fields.AwareDateTime()


@blp.post("/tokens")
@blp.arguments(CredentialsIn)
@blp.response(201, TokenOut)
@blp.alt_response(401, description="Wrong login or password")
@blp.alt_response(429, description="Too many failed sign-ins for this login or address; see Retry-After")
def create_token(credentials: dict[str, Any]) -> dict[str, Any]:
    """Log in: office roles use the token on /api/v1, technicians on /api/mobile/v1."""
    ttl = timedelta(hours=float(current_app.config["TOKEN_TTL_HOURS"]))
    user = sign_in(
        login=credentials["login"],
        password=credentials["password"],
        address=request.remote_addr or "",
        throttle=current_app.extensions["fieldops.login_throttle"],
    )
    issued = issue_token(user=user, ttl=ttl)
    return {"token": issued.token, "role": issued.user.role, "expires_at": issued.expires_at}


@blp.delete("/tokens/current")
@blp.response(204)
@blp.alt_response(401, description="No live token was sent")
def delete_token() -> None:
    """Log out: the token sent with this request stops working at once."""
    token = bearer_token()
    if not token or not revoke_token(token):
        raise Unauthorized("a valid bearer token is required")
