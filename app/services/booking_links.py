"""Signed, expiring booking links: the customer's only credential."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import Order

_SALT = "booking-link"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def booking_token(order: Order) -> str:
    """The token the seller puts in the link it sends the customer."""
    return _serializer().dumps({"o": order.id, "k": order.booking_key})


def order_for_booking_token(token: str) -> Order | None:
    """The order a token opens, or None for a forged, expired or revoked token."""
    max_age = int(current_app.config["BOOKING_TOKEN_MAX_AGE_DAYS"]) * 86400
    try:
        payload = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("o"), int):
        return None
    order = db.session.scalar(select(Order).where(Order.id == payload["o"]))
    if order is None or order.booking_key != payload.get("k"):
        return None
    return order
