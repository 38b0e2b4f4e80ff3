"""Fields and helpers shared by the API's schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
import phonenumbers
from flask import current_app

from app.schemas import fields


class PhoneNumber(fields.String):
    """A phone number that can really be dialled, stored in E.164 so that one person is one customer."""

    default_error_messages = {"invalid_phone": "not a valid phone number"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        region = current_app.config.get("DEFAULT_PHONE_REGION", "CN")
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise self.make_error("invalid_phone") from exc
        if not phonenumbers.is_valid_number(number):
            raise self.make_error("invalid_phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def one_of(values: Any) -> ma.validate.OneOf:
    """A choice validator whose message lists the choices."""
    choices = [str(v) for v in values]
    return ma.validate.OneOf(choices, error=f"must be one of: {', '.join(choices)}")
