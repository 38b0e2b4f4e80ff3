"""Booking, rescheduling and cancelling an appointment, each re-checked against the day as booked.

The re-check runs inside a transaction that serialises all bookings touching the same technicians' day, so
the last place goes to exactly one customer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from app.extensions import db
from app.models import Order, Region, Visit, utcnow
from app.services.booked_days import DayTeam
from app.services.booking import (
    bookable_days,
    check_bookable,
    first_bookable_day,
    offers_on,
    setting,
    slot_span,
    slot_templates,
    slot_windows,
)
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events import Actor, record_order_transition
from app.services.visit_changes import change_visit, new_visit
from dispatch import OrderAction, OrderStatus
from dispatch import transition as lifecycle_step
from dispatch.slots import offer_slots
from dispatch.visits import VisitChange, VisitStatus

CUSTOMER = Actor(type="customer", name="customer")
ALTERNATIVES = 5  # slots offered instead when the chosen one has just gone


class SlotUnavailable(Conflict):
    """The slot was free when offered but is not any more; the body carries the next best ones."""


class BookingClosed(Conflict):
    """The appointment is too close to change on line."""


def book_appointment(*, order: Order, start: datetime, now: datetime | None = None) -> Visit:
    """Book (or move) the order's visit to the slot starting at `start`, if it can still be served."""
    now = now or utcnow()
    order_id = order.id
    check_bookable(order)
    if order.current_visit is not None:  # a closed appointment is the answer, whatever slot was asked for
        _check_changeable(order, order.current_visit, now)
    slot = _requested_slot(order, start, now)
    earliest = _earliest_offered(order, slot, now)
    _start_serialised()
    try:
        visit = _book_locked(order_id, slot, now, earliest)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return visit


def _earliest_offered(order: Order, slot: tuple[datetime, datetime], now: datetime) -> datetime:
    """The first slot the customer was offered up to the chosen one: time they chose to wait is theirs.

    Read before the booking takes its lock, as the customer saw the slots: days after the chosen one can
    only offer later slots, so they are not read.
    """
    day = slot[0].astimezone(ZoneInfo(order.region.time_zone)).date()
    days = [d for d in bookable_days(order, now) if d <= day]
    return min([offer.start for offer in offers_on(order, days, now)] + [slot[0]])


def _book_locked(order_id: int, slot: tuple[datetime, datetime], now: datetime, earliest: datetime) -> Visit:
    order = _locked_order(order_id)
    region = order.region
    check_bookable(order)
    visit = order.current_visit
    if visit is not None:
        _check_changeable(order, visit, now)
    day = slot[0].astimezone(ZoneInfo(region.time_zone)).date()
    team = DayTeam.load(region)
    _serialise_day(team.region_ids, day)
    prepared = team.day_states(order, [day]).get(day)
    offers = []
    if prepared is not None:
        state, job, origin = prepared
        offers = offer_slots(state, job, [slot_span(*slot, origin)])
    if not offers:
        db.session.rollback()  # let the others go on while the alternatives are worked out
        order = db.session.get(Order, order_id)
        alternatives = offers_on(order, bookable_days(order, now, day, 3), now)
        raise SlotUnavailable(
            "Sorry, this slot has just been taken. Please choose another.",
            extra={"slots": [s.as_json() for s in alternatives[:ALTERNATIVES]]},
        )
    visit = _hold_slot(order, visit, offers[0].insertion.technician_id, day, slot, earliest)
    if order.status != OrderStatus.SCHEDULED:
        window = {"start": slot[0].isoformat(), "end": slot[1].isoformat()}
        record_order_transition(
            order, lifecycle_step(order.status, OrderAction.SCHEDULE), CUSTOMER, data=window
        )
    return visit


def _hold_slot(
    order: Order,
    visit: Visit | None,
    technician_id: int,
    day: date,
    slot: tuple[datetime, datetime],
    earliest: datetime,
) -> Visit:
    """Book the slot for the order, or move its booked visit there; the log keeps the earliest offered."""
    window = {"start": slot[0].isoformat(), "end": slot[1].isoformat()}
    offered = {"earliest_offered": earliest.isoformat()}
    placed = {"technician_id": technician_id, "day": day, "window_start": slot[0], "window_end": slot[1]}
    if visit is None:
        return new_visit(VisitChange.BOOK, actor=CUSTOMER, data={**window, **offered}, order=order, **placed)
    before = {"start": visit.window_start.isoformat(), "end": visit.window_end.isoformat()}
    return change_visit(
        visit,
        VisitChange.RESCHEDULE,
        actor=CUSTOMER,
        data={"from": before, "to": window, **offered},
        planned_arrival=None,
        sequence=None,
        **placed,
    )


def cancel_appointment(*, order: Order, now: datetime | None = None) -> Order:
    """Free the order's slot; the order waits to be booked again."""
    now = now or utcnow()
    order_id = order.id
    _start_serialised()
    try:
        order = _cancel_locked(order_id, now)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return order


def _cancel_locked(order_id: int, now: datetime) -> Order:
    order = _locked_order(order_id)
    visit = order.current_visit
    if visit is None or order.status != OrderStatus.SCHEDULED:
        raise Conflict("There is no appointment to cancel.")
    if visit.status != VisitStatus.BOOKED:
        raise Conflict("The technician has already taken this visit on; please call us to cancel it.")
    _check_changeable(order, visit, now)
    change_visit(visit, VisitChange.CANCEL, actor=CUSTOMER)
    record_order_transition(order, lifecycle_step(order.status, OrderAction.UNSCHEDULE), CUSTOMER)
    return order


def _requested_slot(order: Order, start: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The slot that starts at `start`, or a 422 that says why there is none."""
    region = order.region
    local = start.astimezone(ZoneInfo(region.time_zone))
    day = local.date()
    match = [(s, e) for s, e in _all_windows(region, day) if s == start]
    if not match:
        raise Invalid({"start": "is not the start of one of our appointment slots"})
    if day not in bookable_days(order, now, day, 1) or match[0][0] < now + timedelta(
        minutes=int(setting("BOOKING_LEAD_MINUTES"))
    ):
        raise Invalid({"start": "this slot can no longer be booked, or cannot be booked yet; choose another"})
    return match[0]


def _all_windows(region: Region, day: date) -> list[tuple[datetime, datetime]]:
    return slot_windows(region, slot_templates(region), day, datetime.min.replace(tzinfo=ZoneInfo("UTC")))


def _check_changeable(order: Order, visit: Visit, now: datetime) -> None:
    if visit.day < first_bookable_day(order.region, now):
        cutoff = setting("BOOKING_CUTOFF")
        raise BookingClosed(
            f"Your appointment on {visit.day.isoformat()} can no longer be changed on line "
            f"(changes close at {cutoff} the day before); please call us."
        )


def _start_serialised() -> None:
    """End the request's read transaction and begin one that writers queue behind (SQLite)."""
    db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite has one writer at a time; taking the write lock up front makes the re-check and the write
        # one step. Python's sqlite3 starts no transaction of its own before this.
        db.session.execute(text("BEGIN IMMEDIATE"))


def _locked_order(order_id: int) -> Order:
    order = db.session.scalar(
        select(Order).where(Order.id == order_id).with_for_update().execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound("This booking link is not valid or has expired.")
    return order


def _serialise_day(region_ids: Iterable[int], day: date) -> None:
    """Hold, until commit, the lock of each region whose technicians could serve the day (PostgreSQL)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for region_id in sorted(region_ids):  # always in the same order, so two bookings never deadlock
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": day_lock_key(region_id, day)})


def day_lock_key(region_id: int, day: date) -> int:
    """A signed 64-bit advisory-lock key for a region's day."""
    digest = hashlib.blake2b(f"booking:{region_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
