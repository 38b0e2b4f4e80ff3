"""The booking API: the order, its slots, booking, rescheduling and cancelling, by the link's token."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from app.schemas.booking import BookingAppointmentIn, BookingSlotQuery, BookingSlotsOut, CustomerOrderOut
from app.schemas.quality import CustomerComplaintIn, CustomerComplaintOut, SurveyIn, SurveyOut
from app.services.appointments import book_appointment, cancel_appointment
from app.services.booking import available_slots, customer_view, order_for_token
from app.services.complaints import customer_complaint
from app.services.surveys import SurveyAnswers, submit_survey
from dispatch.complaints import ComplaintCategory

blp = Blueprint(
    "booking",
    __name__,
    url_prefix="/api/booking/v1",
    description="Customer self-booking (the token is the key)",
)


@blp.get("/<token>")
@blp.response(200, CustomerOrderOut)
def show(token: str) -> Any:
    """The order as its customer may see it, with its appointment and progress."""
    return customer_view(order_for_token(token))


@blp.get("/<token>/slots")
@blp.arguments(BookingSlotQuery, location="query")
@blp.response(200, BookingSlotsOut)
def slots(args: dict[str, Any], token: str) -> Any:
    """Slots a qualified technician can really serve, best first."""
    order = order_for_token(token)
    found = available_slots(order=order, first=args.get("from_"), days=args.get("days"))
    return {"slots": [slot.as_json() for slot in found]}


@blp.post("/<token>/appointment")
@blp.arguments(BookingAppointmentIn)
@blp.response(201, CustomerOrderOut)
@blp.alt_response(409, description="The slot can no longer be served; `slots` holds the next best")
def book(args: dict[str, Any], token: str) -> Any:
    """Book a slot, or move the appointment to it."""
    order = order_for_token(token)
    visit = book_appointment(order=order, start=args["start"])
    return customer_view(visit.order)


@blp.delete("/<token>/appointment")
@blp.response(200, CustomerOrderOut)
@blp.alt_response(409, description="Nothing to cancel, or too late to cancel on line")
def cancel(token: str) -> Any:
    """Cancel the appointment; the order waits to be booked again."""
    return customer_view(cancel_appointment(order=order_for_token(token)))


@blp.post("/<token>/survey")
@blp.arguments(SurveyIn)
@blp.response(201, SurveyOut)
@blp.alt_response(409, description="The work is not completed yet, or the survey was already answered")
def survey(answers: SurveyAnswers, token: str) -> Any:
    """Rate the finished work once; poor answers open a complaint by themselves."""
    answered, _ = submit_survey(order=order_for_token(token), answers=answers)
    return answered


@blp.post("/<token>/complaint")
@blp.arguments(CustomerComplaintIn)
@blp.response(201, CustomerComplaintOut)
def complain(args: dict[str, Any], token: str) -> Any:
    """Tell the office something went wrong; a dispatcher takes it from there."""
    category = args.get("category")
    return customer_complaint(
        order=order_for_token(token),
        description=args["description"],
        category=ComplaintCategory(category) if category else None,
    )
