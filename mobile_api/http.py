"""What the phone API's views share: the Idempotency-Key header and replies that may be replays."""

from __future__ import annotations

from flask import Response, current_app, json, request

from app.problem import PROBLEM_MIMETYPE
from app.services.errors import Invalid
from app.services.idempotency import KEY_FIELD, Reply

MAX_KEY_LENGTH = 200
# The header as the OpenAPI document declares it on the operations that honour it.
IDEMPOTENCY_KEY_HEADER = {
    "in": "header",
    "name": KEY_FIELD,
    "required": True,
    "description": "A unique value per event, sent unchanged on every retry: the first answer comes back "
    "(with `Idempotent-Replayed: true`) and nothing is recorded twice; the key with another body is a 422",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}


def idempotency_key() -> str:
    """The request's Idempotency-Key; phones must send one with every event, so retries are safe."""
    key = request.headers.get(KEY_FIELD, "").strip()
    if not key:
        raise Invalid({KEY_FIELD: "this header is required: a unique value per event, reused on retries"})
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Invalid({KEY_FIELD: f"must be at most {MAX_KEY_LENGTH} printable characters"})
    return key


def json_body() -> object:
    """The body as sent, which is what the key's request hash covers."""
    return request.get_json(silent=True)


def reply_response(reply: Reply) -> Response:
    """The stored or fresh reply as an HTTP response; replays say so in a header."""
    mimetype = PROBLEM_MIMETYPE if reply.status >= 400 else "application/json"
    response = current_app.response_class(json.dumps(reply.body), status=reply.status, mimetype=mimetype)
    if reply.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
