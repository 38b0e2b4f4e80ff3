"""The customer's booking page: plain HTML and forms, in Chinese or English, working without JavaScript."""

from __future__ import annotations

from datetime import date, datetime
from itertools import groupby
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.booking.forms import SURVEY_TAGS, BookForm, CancelForm, ComplaintForm, SurveyForm
from app.booking.i18n import COOKIE, LANGUAGES, choose_language, day_label, time_range, translate
from app.services.appointments import BookingClosed, SlotUnavailable, book_appointment, cancel_appointment
from app.services.booking import OfferedSlot, available_slots, customer_view, order_for_token
from app.services.errors import Invalid, NotFound, ServiceError
from app.services.surveys import SURVEYED, survey_of

bp = Blueprint("book", __name__, url_prefix="/book", template_folder="templates")
RECOMMENDED = 3  # the best few slots are marked for customers who do not want to compare

NOTICES = ("booked", "rescheduled", "cancelled", "surveyed", "complained")


@bp.get("/<token>")
def page(token: str) -> Any:
    """The order, its appointment and progress, and the slots to book or move to."""
    return render(token, notice=request.args.get("done"))


@bp.post("/<token>/appointment")
def book(token: str) -> Any:
    """Book the slot whose button was pressed."""
    form = BookForm()
    if not form.validate_on_submit():
        return render(token, error="expired", status=400)
    try:
        start = datetime.fromisoformat(form.start.data)
        if start.tzinfo is None:
            raise ValueError("naive")
        order = _order(token)
        moving = customer_view(order)["appointment"] is not None
        book_appointment(order=order, start=start)
    except ValueError:
        return render(token, error="invalid", status=422)
    except ServiceError as exc:
        return refused(token, exc)
    return back(token, "rescheduled" if moving else "booked")


@bp.post("/<token>/cancel")
def cancel(token: str) -> Any:
    """Cancel the appointment."""
    if not CancelForm().validate_on_submit():
        return render(token, error="expired", status=400)
    try:
        cancel_appointment(order=_order(token))
    except ServiceError as exc:
        return refused(token, exc)
    return back(token, "cancelled")


def _order(token: str) -> Any:
    return order_for_token(token)


def refused(token: str, exc: ServiceError, errors: dict[type, str] | None = None) -> Any:
    """The page again with the refusal explained, in the status the API would answer."""
    if isinstance(exc, NotFound):
        return _not_found()
    known = {SlotUnavailable: "taken", BookingClosed: "closed", Invalid: "invalid", **(errors or {})}
    return render(token, error=known.get(type(exc), "not_bookable"), status=exc.status)


def back(token: str, done: str) -> Response:
    """See the page again, with what was done."""
    # After a POST, a redirect: reloading the page does not send the form again.
    return redirect(url_for("book.page", token=token, done=done), code=303)


def _not_found() -> Any:
    language = choose_language(request)
    return render_template("booking/not_found.html", **_context(language)), 404


def render(token: str, *, notice: str | None = None, error: str | None = None, status: int = 200) -> Any:
    """The page for the token's order, with a notice or an error if there is one."""
    language = choose_language(request)
    try:
        order = order_for_token(token)
    except NotFound:
        return _not_found()
    view = customer_view(order)
    days: list[tuple[str, list[dict[str, Any]]]] = []
    if view["bookable"] and (view["appointment"] is None or view["appointment"]["changeable"]):
        try:
            days = _by_day(language, available_slots(order=order, first=None, days=None))
        except ServiceError:
            days = []
    context = _context(language) | {
        "token": token,
        "order": view,
        "days": days,
        "notice": notice if notice in NOTICES else None,
        "error": error,
        "book_form": BookForm(formdata=None),
        "cancel_form": CancelForm(formdata=None),
        "survey_form": SurveyForm(formdata=None) if _survey_due(order) else None,
        "survey_tags": SURVEY_TAGS,
        "complaint_form": ComplaintForm(formdata=None),
    }
    response = render_template("booking/page.html", **context)
    return _remember_language(response, status)


def _survey_due(order: Any) -> bool:
    return order.status in SURVEYED and survey_of(order) is None


def _by_day(language: str, slots: list[OfferedSlot]) -> list[tuple[str, list[dict[str, Any]]]]:
    best = {s.start for s in slots[:RECOMMENDED]}
    ordered = sorted(slots, key=lambda s: s.start)
    days = []
    for day, group in groupby(ordered, key=lambda s: s.start.date()):
        days.append((day_label(language, day), [_slot(s, s.start in best) for s in group]))
    return days


def _slot(slot: OfferedSlot, recommended: bool) -> dict[str, Any]:
    return {
        "value": slot.start.isoformat(),
        "label": time_range(slot.start, slot.end),
        "grade": slot.grade,
        "recommended": recommended,
    }


def _context(language: str) -> dict[str, Any]:
    other = next(lang for lang in LANGUAGES if lang != language)
    return {
        "lang": language,
        "other_lang": other,
        "_": lambda key, **values: translate(language, key, **values),
        "day_label": lambda day: day_label(language, day if isinstance(day, date) else day.date()),
        "time_range": time_range,
        "service_phone": current_app.config.get("SERVICE_PHONE") or "",
    }


def _remember_language(body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(
            COOKIE, asked, max_age=365 * 86400, samesite="Lax", httponly=True, secure=request.is_secure
        )
    return response
