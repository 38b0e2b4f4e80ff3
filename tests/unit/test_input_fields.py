"""The bounded fields and the JSON depth check, on their own."""

from __future__ import annotations

import json

import marshmallow as ma
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.inputs import MAX_JSON_DEPTH, json_depth
from app.schemas import fields


class Sample(ma.Schema):
    text = fields.String()
    count = fields.Integer()
    ident = fields.Id()
    day = fields.Date()
    moment = fields.AwareDateTime()
    share = fields.Float()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("text", "a\x00b", "NUL"),
        ("text", "a\ud800", "surrogate"),
        ("count", 1.5, "integer"),
        ("count", "1", "integer"),
        ("count", 2**31, "less than or equal to 2147483647"),
        ("count", -(2**31) - 1, "greater than or equal to"),
        ("ident", 0, "greater than or equal to 1"),
        ("day", "0001-01-01", "between"),
        ("day", "9999-12-31", "between"),
        ("moment", "9999-12-31T23:00:00-12:00", "between"),
        ("moment", "1999-12-31T23:59:59+00:00", "between"),
        ("share", "NaN", "not permitted"),
    ],
)
def test_a_value_no_database_stores_is_refused_with_a_message(field: str, value: object, words: str) -> None:
    """Each field names what is wrong with the value, in words a client can show."""
    with pytest.raises(ma.ValidationError) as refused:
        Sample().load({field: value})
    assert words.lower() in " ".join(refused.value.messages[field]).lower()


def test_values_in_range_pass() -> None:
    """The limits are the limits: the last storable value is accepted."""
    data = Sample().load(
        {
            "text": "王伟 😀",
            "count": 2**31 - 1,
            "ident": 1,
            "day": "2100-12-31",
            "moment": "2000-01-01T00:00:00Z",
        }
    )
    assert data["count"] == 2**31 - 1 and data["text"] == "王伟 😀"


def test_json_depth_counts_brackets_outside_strings() -> None:
    """Brackets inside strings (escaped quotes too) do not count."""
    assert json_depth(b'{"a": [1, {"b": "[[[[\\"{{"}]}') == 3
    assert json_depth(b'"just a string"') == 0
    assert json_depth(b"[" * 100_000) == MAX_JSON_DEPTH + 1  # stops counting past the limit


@given(
    st.recursive(st.integers() | st.text(), lambda kids: st.lists(kids) | st.dictionaries(st.text(), kids))
)
def test_json_depth_matches_the_structure(value: object) -> None:
    """For any JSON document, the scan agrees with the nesting of the value it encodes."""

    def depth(v: object) -> int:
        if isinstance(v, list):
            return 1 + max(map(depth, v), default=0)
        if isinstance(v, dict):
            return 1 + max(map(depth, v.values()), default=0)
        return 0

    assert json_depth(json.dumps(value).encode()) == min(depth(value), MAX_JSON_DEPTH + 1)
