"""Domain errors the services raise; the app's one error handler turns each into problem+json."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    """Base for every refusal a service can give; carries its HTTP status for the handler."""

    status = 400
    title = "Bad Request"
    headers: Mapping[str, str] = {}

    def __init__(self, detail: str, *, extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = dict(extra or {})


class Invalid(ServiceError):
    """Input that is well-formed but breaks a rule; names the fields at fault."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, errors: Mapping[str, list[str] | str], detail: str | None = None) -> None:
        self.errors = {k: [v] if isinstance(v, str) else list(v) for k, v in errors.items()}
        super().__init__(detail or "The request has invalid fields; see errors.")


class NotFound(ServiceError):
    status = 404
    title = "Not Found"


class Conflict(ServiceError):
    """The request is valid but the current state of things does not allow it."""

    status = 409
    title = "Conflict"


class Unauthorized(ServiceError):
    status = 401
    title = "Unauthorized"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class TooManyAttempts(ServiceError):
    """Too many failed sign-ins for a login or from an address; says when to try again."""

    status = 429
    title = "Too Many Requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class Unavailable(ServiceError):
    """A server the operation needs (the queue's Redis) does not answer; try again later."""

    status = 503
    title = "Service Unavailable"
    headers = {"Retry-After": "30"}
