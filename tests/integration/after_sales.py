"""Test data for surveys and complaints: orders whose work is done (or not yet), with their booking links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint, Event, Survey
from app.services.booking_links import booking_token
from tests.integration.mobile_day import Crew, published_visit

GOOD = {"rating": 5, "technician_rating": 5, "solved": True, "tags": ["tidy"], "comment": "Great", "nps": 9}


@dataclass(frozen=True)
class Served:
    """An order served by a visit, and the customer's link to it."""

    order_id: int
    token: str


def served(app: Flask, crew: Crew, *, status: str = "completed", customer: int | None = None) -> Served:
    """An order whose visit is in `status` (completed by default)."""
    visit = published_visit(
        app, crew.network.technician, day=crew.day - timedelta(days=1), status=status, customer=customer
    )
    return Served(order_id=visit.order_id, token=booking_token(visit.order))


def survey(client: FlaskClient, token: str, **changes: Any) -> Any:
    """POST a survey, good unless changed; a change to None leaves the field out."""
    body = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
    return client.post(f"/api/booking/v1/{token}/survey", json=body)


def counts() -> tuple[int, int, int]:
    """How many surveys, complaints and events there are."""
    db.session.expire_all()
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model)) for model in (Survey, Complaint, Event)
    )
