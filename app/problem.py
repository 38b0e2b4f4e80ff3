"""Every error the app returns is RFC 9457 problem+json, with field messages for validation failures."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Response, current_app, json
from flask_smorest import Api
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_MIMETYPE = "application/problem+json"
# RFC 9110's names where older ones linger in libraries, so that one status has one title.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as documented in the OpenAPI document."""

    type = ma.fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = ma.fields.String()
    status = ma.fields.Integer()
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
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    for name, value in (headers or {}).items():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


class ProblemApi(Api):
    """flask-smorest's Api whose error handler speaks problem+json for every HTTP error."""

    ERROR_SCHEMA = ProblemSchema

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
