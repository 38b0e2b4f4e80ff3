"""The customer page's after-sales forms: the survey once the work is done, and a complaint at any time."""

from __future__ import annotations

from typing import Any

from app.booking.forms import ComplaintForm, SurveyForm
from app.booking.page import back, bp, refused, render
from app.services.booking import order_for_token
from app.services.complaints import customer_complaint
from app.services.errors import Conflict, Invalid, ServiceError
from app.services.surveys import SurveyAnswers, submit_survey


@bp.post("/<token>/survey")
def survey(token: str) -> Any:
    """Keep the customer's survey; poor answers open a complaint, as on the API."""
    form = SurveyForm()
    if not form.validate_on_submit():
        return render(token, error="expired" if form.csrf_token.errors else "survey_invalid", status=400)
    answers = SurveyAnswers(
        rating=form.rating.data,
        technician_rating=form.technician_rating.data,
        solved=form.solved.data == "yes",
        tags=tuple(form.tags.data or ()),
        comment=(form.comment.data or "").strip(),
        nps=form.nps.data,
    )
    try:
        submit_survey(order=order_for_token(token), answers=answers)
    except ServiceError as exc:
        # The service's only Invalid here is an NPS asked again within 90 days.
        return refused(token, exc, {Conflict: "survey_closed", Invalid: "nps_again"})
    return back(token, "surveyed")


@bp.post("/<token>/complaint")
def complain(token: str) -> Any:
    """Send the office a complaint in the customer's words."""
    form = ComplaintForm()
    if not form.validate_on_submit() or not form.description.data.strip():
        return render(token, error="expired" if form.csrf_token.errors else "complaint_invalid", status=400)
    try:
        description = form.description.data.strip()
        customer_complaint(order=order_for_token(token), description=description, category=None)
    except ServiceError as exc:
        return refused(token, exc)
    return back(token, "complained")
