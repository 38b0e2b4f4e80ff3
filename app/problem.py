"""Every error the app returns is RFC 9457 problem+json, with field messages for validation failures."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import Response, current_app, json, render_template, request
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_MIMETYPE = "application/problem+json"
# RFC 9110's names where older ones linger in libraries, so that one status has one title.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}
# What an operation can answer because of its shape alone, whatever its service does.
SIGNED_IN_PROBLEMS = {
    "401": "No live bearer token was sent",
    "403": "The token's role may not use this operation",
}
PATH_PROBLEM = ("404", "Nothing by that id or token, or not one the caller may see")
JSON_PROBLEM = ("400", "The body is not JSON")
# Declared on each operation instead of a `default` answer, which would stand for every status unlisted.
SERVER_PROBLEM = ("500", "The server failed; nothing was changed")


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as documented in the OpenAPI document."""

    class Meta:
        # RFC 9457 extension members: the next best `slots`, a publication's `clashes`, a run's `plan_id`.
        unknown = ma.INCLUDE

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String()
    status = ma.fields.Integer(validate=ma.validate.Range(min=400, max=599))
    detail = ma.fields.String()
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Messages by field, dotted for nested fields"},
    )


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {"customer.phone": ["..."]}."""
    if isinstance(messages, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for field, texts in flatten_messages(value, path).items():
                flat.setdefault(field, []).extend(texts)
        return flat
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_schema": list(messages)}
        flat = {}
        for index, value in enumerate(messages):
            for field, texts in flatten_messages(value, f"{prefix}.{index}").items():
                flat.setdefault(field, []).extend(texts)
        return flat
    return {prefix or "_schema": [str(messages)]}


def _merge_locations(by_location: Mapping[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for messages in by_location.values():
        if isinstance(messages, Mapping):
            merged.update(messages)
        else:  # a message about the whole body, such as "Invalid JSON body."
            merged.setdefault("_schema", []).extend(messages if isinstance(messages, list) else [messages])
    return merged


def problem_response(
    status: int,
    *,
    title: str,
    detail: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Build the one error shape that clients, phones and the console all parse."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = dict(errors)
    if extra:
        body.update(extra)
    if _wants_console_page():
        page = render_template("console/error.html", problem=body, region=None, day=None)
        response = current_app.response_class(page, status=status, mimetype="text/html")
    else:
        response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


class ProblemPlugin(BasePlugin):
    """Documents every operation's problem answers in one place: their statuses, content type and schema.

    Signing in, a path parameter and a JSON body each bring their statuses with them; what a service refuses
    (409, 413, 429, 503 ...) stays declared beside its view, and gets the problem+json content here.
    """

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        """Add the statuses each operation's shape implies; give every error answer the problem schema."""
        for operation in (operations or {}).values():
            responses = operation.setdefault("responses", {})
            for status, description in _implied_problems(path or "", operation).items():
                if all(str(code) != status for code in responses):
                    responses[status] = {"description": description}
            for code, response in responses.items():
                if _is_error(code) and isinstance(response, dict) and "content" not in response:
                    response["content"] = {PROBLEM_MIMETYPE: {"schema": "Problem"}}
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))


def _implied_problems(path: str, operation: Mapping[str, Any]) -> dict[str, str]:
    implied = dict([SERVER_PROBLEM])
    if operation.get("security"):
        implied.update(SIGNED_IN_PROBLEMS)
    if "{" in path:
        implied.update([PATH_PROBLEM])
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        implied.update([JSON_PROBLEM])
    return implied


def _is_error(code: Any) -> bool:
    return str(code).isdigit() and int(code) >= 400


def _wants_console_page() -> bool:
    """A console page a person opened (not the board's own JSON calls): the problem is shown as a page."""
    path = request.path
    return (
        path.startswith("/console/")
        and not path.startswith("/console/api/")
        # A browser's navigation asks for text/html first; a script's fetch asks for */*: it gets JSON.
        and request.accept_mimetypes.best_match([PROBLEM_MIMETYPE, "text/html"]) == "text/html"
    )


class ProblemApi(Api):
    """flask-smorest's Api whose errors, handled and documented, are problem+json."""

    ERROR_SCHEMA = ProblemSchema
    # Every answer an operation gives is listed by its status (ProblemPlugin), so clients and tests can tell
    # a documented status from one that is not.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(
        self, app: Any = None, *, spec_kwargs: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> None:
        spec_kwargs = {**(spec_kwargs or {})}
        spec_kwargs["extra_plugins"] = [ProblemPlugin(), *spec_kwargs.get("extra_plugins", ())]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def _register_responses(self) -> None:
        """The responses flask-smorest names by status (UNPROCESSABLE_ENTITY ...), errors in problem+json."""
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        """Keep the status and headers (Allow on 405, WWW-Authenticate on 401), change the body."""
        if error.code is None or error.code >= 500:
            if not isinstance(error, InternalServerError) or error.original_exception is not None:
                current_app.logger.error("server error", exc_info=getattr(error, "original_exception", error))
            return problem_response(500, title="Internal Server Error", detail="Something went wrong.")
        data = getattr(error, "data", None) or {}
        headers = dict(error.get_headers())
        headers.update(data.get("headers") or {})
        messages = data.get("errors") or data.get("messages")
        errors = None
        if messages:
            # webargs nests messages under the location ("json", "query"); clients want the field.
            if isinstance(messages, Mapping) and set(messages) <= {"json", "query", "form", "files", "path"}:
                messages = _merge_locations(messages)
            errors = flatten_messages(messages)
        detail = data.get("message") or error.description
        if errors and not data.get("message"):
            detail = "The request has invalid fields; see errors."
        return problem_response(
            error.code,
            title=TITLES.get(error.code, error.name),
            detail=detail,
            errors=errors,
            headers=headers,
            extra=data.get("extra"),
        )
