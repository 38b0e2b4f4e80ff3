"""The customer page's survey and complaint forms: plain forms with CSRF, in both languages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Complaint, Survey
from tests.integration.after_sales import counts, served
from tests.integration.mobile_day import Crew, make_crew

EN = {"Accept-Language": "en"}


@pytest.fixture
def crew(client: FlaskClient) -> Crew:
    return make_crew(client)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def test_the_survey_is_offered_once_the_work_is_done(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """A completed order's page asks for the survey, in Chinese by default; an unfinished one's does not."""
    done, underway = served(app, crew), served(app, crew, status="dispatched")
    chinese = client.get(f"/book/{done.token}").get_data(as_text=True)
    assert "服务评价" in chinese and 'name="rating"' in chinese and 'name="nps"' in chinese
    assert 'name="rating"' not in client.get(f"/book/{underway.token}").get_data(as_text=True)


def test_the_survey_form_keeps_the_answers_and_opens_a_complaint(
    app: Flask, client: FlaskClient, crew: Crew
) -> None:
    """Sending the form keeps the survey, a poor one opens a complaint, and the page thanks the customer."""
    order = served(app, crew)
    url = f"/book/{order.token}"
    form = {
        "csrf_token": _csrf(client.get(url, headers=EN).get_data(as_text=True)),
        "rating": "2",
        "technician_rating": "4",
        "solved": "no",
        "tags": ["late", "messy"],
        "comment": "Still leaks",
        "nps": "3",
    }
    sent = client.post(f"{url}/survey", data=form)
    assert sent.status_code == 303 and sent.headers["Location"].endswith("done=surveyed")
    page = client.get(sent.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Thank you for your feedback." in page and 'name="rating"' not in page
    survey = db.session.query(Survey).one()
    assert (survey.rating, survey.solved, survey.tags, survey.nps) == (2, False, ["late", "messy"], 3)
    assert db.session.query(Complaint).one().source == "survey"
    again = client.post(f"{url}/survey", data=form, headers=EN)
    assert again.status_code == 409 and "already answered" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "changes", [{"rating": "6"}, {"rating": ""}, {"solved": "maybe"}, {"nps": "11"}, {"csrf_token": "x"}]
)
def test_a_bad_survey_form_changes_nothing(
    app: Flask, client: FlaskClient, crew: Crew, changes: dict
) -> None:
    """Out-of-range answers or a stale form are refused with 400 and keep nothing."""
    order = served(app, crew)
    url = f"/book/{order.token}"
    form = {
        "csrf_token": _csrf(client.get(url, headers=EN).get_data(as_text=True)),
        "rating": "5",
        "technician_rating": "5",
        "solved": "yes",
        **changes,
    }
    before = counts()
    assert client.post(f"{url}/survey", data=form).status_code == 400
    assert counts() == before


def test_the_customer_complains_from_the_page(app: Flask, client: FlaskClient, crew: Crew) -> None:
    """The complaint form opens a complaint from the customer; an empty one is refused."""
    order = served(app, crew, status="dispatched")
    url = f"/book/{order.token}"
    token = _csrf(client.get(url, headers=EN).get_data(as_text=True))
    assert client.post(f"{url}/complaint", data={"csrf_token": token, "description": "  "}).status_code == 400
    sent = client.post(f"{url}/complaint", data={"csrf_token": token, "description": "Nobody came"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("done=complained")
    complaint = db.session.query(Complaint).one()
    assert (complaint.source, complaint.description, complaint.order_id) == (
        "customer",
        "Nobody came",
        order.order_id,
    )
    assert (
        client.post("/book/forged/complaint", data={"csrf_token": token, "description": "x"}).status_code
        == 404
    )
