"""What the database can store, in one place: the schemas and the console check inputs against it."""

from __future__ import annotations

import datetime as dt

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1  # ids and counts are 32-bit columns
FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)


def bad_characters(text: str) -> str | None:
    """What in a string no database stores: a NUL byte or half of a surrogate pair."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "must not contain unpaired surrogates"
    return None


def day_in_range(day: dt.date) -> bool:
    """Whether a day lies in the years the product plans for."""
    return FIRST_DAY <= day <= LAST_DAY


def id_in_range(value: object) -> bool:
    """Whether a JSON value is a row id: a positive 32-bit integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= INT_MAX
