"""The customer's survey of finished work: once per order, NPS at most once per customer per 90 days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Complaint, Order, Survey, utcnow
from app.services.appointments import CUSTOMER
from app.services.complaints import NewComplaint, open_complaint
from app.services.errors import Conflict, Invalid
from app.services.events import record_order_event
from dispatch import OrderStatus
from dispatch.complaints import NPS_INTERVAL_DAYS, ComplaintSource, survey_verdict
from dispatch.visits import VisitStatus

SURVEYED = (OrderStatus.COMPLETED, OrderStatus.CLOSED)


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    """What the customer answered."""

    rating: int
    technician_rating: int
    solved: bool
    tags: Sequence[str] = ()
    comment: str = ""
    nps: int | None = None


def survey_of(order: Order) -> Survey | None:
    """The order's survey, if its customer has answered."""
    return db.session.scalar(select(Survey).where(Survey.order_id == order.id))


def submit_survey(
    *, order: Order, answers: SurveyAnswers, now: datetime | None = None
) -> tuple[Survey, Complaint | None]:
    """Keep the customer's answers; poor ones open a complaint in the same transaction."""
    now = now or utcnow()
    _check_open(order)
    if answers.nps is not None:
        _check_nps_due(order, now)
    survey = Survey(
        order=order,
        customer_id=order.customer_id,
        technician_id=_technician_of(order),
        rating=answers.rating,
        technician_rating=answers.technician_rating,
        solved=answers.solved,
        tags=list(answers.tags),
        comment=answers.comment,
        nps=answers.nps,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(survey)
            db.session.flush()
    except IntegrityError as exc:  # the same customer's other tab got there first
        db.session.rollback()
        raise Conflict("This order's survey has already been answered; it cannot be changed.") from exc
    record_order_event(order, subject="survey", action="answer", actor=CUSTOMER, data=_summary(survey))
    complaint = _complaint_from(order, survey)
    db.session.commit()
    return survey, complaint


def _check_open(order: Order) -> None:
    if order.status not in SURVEYED:
        raise Conflict("The survey opens once the work is completed.")
    if survey_of(order) is not None:
        raise Conflict("This order's survey has already been answered; it cannot be changed.")


def _check_nps_due(order: Order, now: datetime) -> None:
    since = now - timedelta(days=NPS_INTERVAL_DAYS)
    last = db.session.scalar(
        select(Survey.created_at)
        .where(Survey.customer_id == order.customer_id, Survey.nps.is_not(None), Survey.created_at > since)
        .order_by(Survey.created_at.desc())
        .limit(1)
    )
    if last is not None:
        again = (last + timedelta(days=NPS_INTERVAL_DAYS)).date()
        message = f"answered in the last {NPS_INTERVAL_DAYS} days; leave it out (asked again from {again})"
        raise Invalid({"nps": message})


def _technician_of(order: Order) -> int | None:
    done = [v for v in order.visits if v.status == VisitStatus.COMPLETED]
    return done[-1].technician_id if done else None


def _summary(survey: Survey) -> dict[str, object]:
    return {"survey_id": survey.id, "rating": survey.rating, "solved": survey.solved, "nps": survey.nps}


def _complaint_from(order: Order, survey: Survey) -> Complaint | None:
    verdict = survey_verdict(rating=survey.rating, solved=survey.solved, nps=survey.nps)
    if verdict is None:
        return None
    said = f": {survey.comment}" if survey.comment else ""
    new = NewComplaint(
        category=verdict.category,
        severity=verdict.severity,
        description=f"Survey: {', '.join(verdict.reasons)}{said}",
        source=ComplaintSource.SURVEY,
    )
    return open_complaint(order, new, actor=CUSTOMER, survey=survey)
