"""Bearer-token authentication and the role rules of the HTTP interface."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from app.models import User
from app.services.errors import Forbidden, Unauthorized
from app.services.regions import visible_region_ids
from app.services.users import user_for_token

F = TypeVar("F", bound=Callable[..., Any])

OFFICE_ROLES = ("admin", "dispatcher")


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_required(*roles: str) -> Callable[[F], F]:
    """401 without a live token, 403 for a role that may not use this part of the API."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            user = user_for_token(token) if token else None
            if user is None:
                raise Unauthorized("a valid bearer token is required")
            if user.role not in roles:
                raise Forbidden(f"a {user.role} token cannot use this endpoint")
            g.user = user
            return view(*args, **kwargs)

        # flask-smorest reads this to document the security requirement in OpenAPI.
        doc = dict(getattr(view, "_apidoc", {}))
        doc["manual_doc"] = {**doc.get("manual_doc", {}), "security": [{"bearerAuth": []}]}
        wrapper._apidoc = doc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def current_user() -> User:
    """The user the request's token belongs to."""
    return g.user


def current_scope() -> set[int] | None:
    """The region ids the current user may see, None for all."""
    return visible_region_ids(g.user)
