"""URL converters: an id in a path is one the database's id columns can hold, or no route matches it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from app.models.limits import INT_MAX

# The id columns are 32-bit integers: a larger id is no row, and PostgreSQL and SQLite refuse to compare it.
LARGEST_ID = INT_MAX


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: 1 to LARGEST_ID, documented as such in OpenAPI; anything else is a 404."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Use the bounded converter for `int`; before any blueprint adds its routes."""
    app.url_map.converters["int"] = RowIdConverter
