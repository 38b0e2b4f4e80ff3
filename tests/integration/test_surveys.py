"""The customer's survey: once, after completion, NPS at most every 90 days, poor answers open a complaint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import db
from app.models import Complaint, Event, Survey
from tests.integration.after_sales import counts, served, survey
from tests.integration.booking_network import PROBLEM
from tests.integration.mobile_day import Crew, make_crew


@pytest.fixture
def crew(client: FlaskClient) -> Crew:
    return make_crew(client)


def test_a_good_survey_is_kept_and_opens_no_complaint(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """A fair survey of finished work is answered 201, logged on the order, and opens nothing."""
    order = served(app, crew)
    response = survey(client, order.token)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["rating"], body["nps"], body["tags"], body["complaint_id"]) == (5, 9, ["tidy"], None)
    assert counts()[:2] == (1, 0)
    logged = db.session.scalars(select(Event.action).where(Event.subject == "survey")).all()
    assert logged == ["answer"]


@pytest.mark.parametrize("status", ["dispatched", "in_progress"])
def test_no_survey_before_the_work_is_completed(
    app: Flask, client: FlaskClient, crew: Crew, status: str
) -> None:
    """A survey before completion is refused with 409 and keeps nothing."""
    order = served(app, crew, status=status)
    before = counts()
    response = survey(client, order.token)
    assert response.status_code == 409 and response.mimetype == PROBLEM
    assert "completed" in response.get_json()["detail"]
    assert counts() == before


def test_a_second_survey_is_refused(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """The same order cannot be surveyed twice, nor its answers changed later."""
    order = served(app, crew)
    assert survey(client, order.token).status_code == 201
    before = counts()
    again = survey(client, order.token, rating=1, nps=None)
    assert again.status_code == 409
    assert "already been answered" in again.get_json()["detail"]
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rating", 6),
        ("rating", 0),
        ("technician_rating", 6),
        ("nps", 11),
        ("nps", -1),
        ("solved", "maybe"),
        ("tags", ["x" * 33]),
        ("rating", 4.5),
    ],
)
def test_bad_answers_are_refused_and_change_nothing(
    app: Flask, client: FlaskClient, crew: Crew, field: str, value: object
) -> None:
    """Answers out of range are refused with 422 naming the field; nothing is kept."""
    order = served(app, crew)
    before = counts()
    response = survey(client, order.token, **{field: value})
    assert response.status_code == 422
    assert any(key.startswith(field) for key in response.get_json()["errors"])
    assert counts() == before


@pytest.mark.parametrize(
    ("changes", "severity", "category"),
    [
        ({"rating": 2}, "medium", "other"),
        ({"nps": 6}, "low", "other"),
        ({"solved": False}, "medium", "unresolved"),
        ({"rating": 1, "solved": False}, "high", "unresolved"),
    ],
)
def test_poor_answers_open_a_complaint(
    app: Flask, client: FlaskClient, crew: Crew, changes: dict, severity: str, category: str
) -> None:
    """A rating of 2 or less, an NPS of 6 or less or an unsolved problem opens a complaint from the survey."""
    order = served(app, crew)
    response = survey(client, order.token, **changes)
    assert response.status_code == 201
    complaint = db.session.get(Complaint, response.get_json()["complaint_id"])
    assert complaint is not None
    assert (complaint.source, complaint.status, complaint.order_id) == ("survey", "open", order.order_id)
    assert (complaint.severity, complaint.category) == (severity, category)
    assert complaint.survey_id == response.get_json()["id"]
    opened = db.session.scalars(select(Event).where(Event.subject == "complaint")).all()
    assert [(e.action, e.order_id, e.actor_type) for e in opened] == [("open", order.order_id, "customer")]


def test_nps_is_asked_at_most_once_per_customer_in_90_days(
    app: Flask, client: FlaskClient, crew: Crew
) -> None:
    """A second NPS within 90 days from one customer is refused with 422; without it the survey is kept."""
    first = served(app, crew, customer=42)
    second = served(app, crew, customer=42)
    assert survey(client, first.token).status_code == 201
    before = counts()
    refused = survey(client, second.token, nps=3)
    assert refused.status_code == 422
    assert "90 days" in refused.get_json()["errors"]["nps"][0]
    assert counts() == before
    kept = survey(client, second.token, nps=None)
    assert kept.status_code == 201 and kept.get_json()["nps"] is None


def test_nps_may_be_asked_again_after_90_days(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """An NPS answered more than 90 days ago does not stop a new one."""
    first = served(app, crew, customer=43)
    second = served(app, crew, customer=43)
    assert survey(client, first.token).status_code == 201
    old = db.session.scalar(select(Survey).where(Survey.order_id == first.order_id))
    old.created_at -= timedelta(days=91)
    db.session.commit()
    assert survey(client, second.token).status_code == 201


def test_another_customers_nps_does_not_count(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """The 90 days are counted per customer."""
    assert survey(client, served(app, crew, customer=44).token).status_code == 201
    assert survey(client, served(app, crew, customer=45).token).status_code == 201


def test_a_forged_link_reaches_no_survey(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """A token that is not a booking link is answered 404."""
    served(app, crew)
    assert survey(client, "not-a-token").status_code == 404
    assert counts()[0] == 0
