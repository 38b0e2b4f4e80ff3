"""The API's fields, bounded once: what the database can store is what a schema accepts.

Every schema uses these instead of marshmallow's own, so that no input reaches the database that it
would refuse with a server error: a NUL byte or a lone surrogate in a string, an integer past 32 bits,
a date in year 1 or 9999, a fraction where a count is meant.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import marshmallow as ma
from marshmallow.fields import Boolean, Dict, Function, List, Method, Nested  # noqa: F401  re-exported

from app.models.limits import FIRST_DAY, INT_MAX, INT_MIN, LAST_DAY, bad_characters, day_in_range

_FIRST_MOMENT = dt.datetime(FIRST_DAY.year, 1, 1, tzinfo=dt.UTC)
_LAST_MOMENT = dt.datetime(LAST_DAY.year + 1, 1, 1, tzinfo=dt.UTC)


class _Storable:
    """Refuses, once the text is read, what no database stores."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[misc]
        problem = bad_characters(text)
        if problem:
            raise ma.ValidationError(problem)
        return text


class String(_Storable, ma.fields.String):
    """A string a database can store."""


class Email(_Storable, ma.fields.Email):
    """An e-mail address a database can store."""


class Integer(ma.fields.Integer):
    """A whole number (1.5 and "1" are refused) that fits a 32-bit column."""

    def __init__(self, *, strict: bool = True, **kwargs: Any) -> None:
        super().__init__(strict=strict, **kwargs)
        self.validators.insert(0, ma.validate.Range(min=INT_MIN, max=INT_MAX))


class Id(Integer):
    """A row's id: a positive 32-bit integer."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.insert(0, ma.validate.Range(min=1))


class Float(ma.fields.Float):
    """A finite number (NaN and infinities are refused)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_nan=False, **kwargs)


class Date(ma.fields.Date):
    """A day between 2000 and 2100."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not day_in_range(day):
            raise ma.ValidationError(f"must be between {FIRST_DAY} and {LAST_DAY}")
        return day


class AwareDateTime(ma.fields.AwareDateTime):
    """A moment with its offset, between 2000 and 2100."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not _FIRST_MOMENT <= moment < _LAST_MOMENT:
            raise ma.ValidationError(f"must be between {FIRST_DAY} and {LAST_DAY}")
        return moment


class DateTime(ma.fields.DateTime):
    """A moment, output only in practice; bounded like the others when read."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_DAY <= moment.date() <= LAST_DAY:
            raise ma.ValidationError(f"must be between {FIRST_DAY} and {LAST_DAY}")
        return moment
