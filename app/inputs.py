"""What every request must be before any view reads it: JSON that parses, text without NUL.

The schemas bound each field (app/schemas/fields.py) and app/converters.py the ids in paths; this bounds
the depth and size of a JSON body, and the console's forms and queries that no schema reads.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from app.extensions import db
from app.models.limits import bad_characters
from app.problem import TITLES, problem_response
from app.services.errors import Invalid

MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]")


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply a JSON text nests, counting no further than one past `limit`."""
    depth = deepest = 0
    for bracket in _NOT_A_BRACKET.sub(b"", _JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in b"[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def init_app(app: Flask) -> None:
    """Bound JSON bodies and form text for every view, and answer a value the database refuses with 422."""
    app.config.setdefault("JSON_MAX_BYTES", 1024 * 1024)
    app.before_request(_check_request)
    app.register_error_handler(DataError, _refused_by_database)


def _check_request() -> None:
    if request.is_json:
        request.max_content_length = current_app.config["JSON_MAX_BYTES"]
        if request.content_length and request.content_length > request.max_content_length:
            raise RequestEntityTooLarge(f"A JSON body may have at most {request.max_content_length} bytes.")
        if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
            raise BadRequest(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
    errors: dict[str, str] = {}
    fields = [*request.args.items(multi=True)]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields += request.form.items(multi=True)
    for name, value in fields:
        if bad_characters(name):
            errors["_schema"] = f"a field's name {bad_characters(name)}"
        elif bad_characters(value):
            errors[name] = bad_characters(value) or ""
    if errors:
        raise Invalid(errors)


def _refused_by_database(error: DataError) -> Any:
    """A value the schemas let through and the database refused: the caller's mistake, not a crash."""
    db.session.rollback()
    current_app.logger.warning("database refused a value: %s", error.orig)
    return problem_response(
        422, title=TITLES[422], detail="A value is out of the range the database can store."
    )
