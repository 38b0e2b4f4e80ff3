"""Customer self-booking: the slots a region can really serve, and what the customer sees of an order.

Slots come from the region's templates (local wall-clock times) within the booking horizon, after the
cut-off and the lead time, and never before the goods arrive. Whether a slot can be served is decided by
`dispatch.slots` against the day as already booked (`app.services.booked_days`). Booking, rescheduling and
cancelling are in `app.services.appointments`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Order, Region, SlotTemplate, VisitProgress, utcnow
from app.services.booked_days import DayTeam
from app.services.booking_links import order_for_booking_token
from app.services.errors import Conflict, NotFound
from dispatch import OrderStatus
from dispatch.calendar import local_instant
from dispatch.slots import SlotOffer, offer_slots
from routing.problem import TimeWindow

# Settings, each overridable as FIELDOPS_BOOKING_*; a region's own slot templates are in slot_templates.
DEFAULTS: Mapping[str, Any] = {
    "BOOKING_SLOTS": ["08:00-10:00", "10:00-12:00", "13:00-15:00", "15:00-17:00", "17:00-19:00"],
    "BOOKING_HORIZON_DAYS": 14,
    "BOOKING_LEAD_MINUTES": 120,
    "BOOKING_CUTOFF": "18:00",  # after this, local, tomorrow can no longer be booked or changed
}
BOOKABLE = (OrderStatus.AWAITING_GOODS, OrderStatus.READY_TO_SCHEDULE, OrderStatus.SCHEDULED)


@dataclass(frozen=True, slots=True)
class OfferedSlot:
    """A slot as the customer sees it: local start and end, and its grade."""

    start: datetime
    end: datetime
    grade: int
    technician_id: int

    def as_json(self) -> dict[str, Any]:
        """The slot as the API and the 409 body show it."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "grade": self.grade}


def setting(name: str) -> Any:
    """A booking setting from the app's configuration, else its default."""
    return current_app.config.get(name, DEFAULTS[name])


def order_for_token(token: str) -> Order:
    """The order a booking link opens; a bad, expired or revoked link is simply not found."""
    order = order_for_booking_token(token)
    if order is None:
        raise NotFound("This booking link is not valid or has expired.")
    return order


def slot_templates(region: Region) -> list[tuple[time, time]]:
    """The region's active slots as local (start, end) times; the configured defaults if it has none."""
    own = db.session.execute(
        select(SlotTemplate.start_time, SlotTemplate.end_time).where(
            SlotTemplate.region_id == region.id, SlotTemplate.active.is_(True)
        )
    ).all()
    if own:
        return sorted((first, last) for first, last in own)
    return default_slot_templates()


def default_slot_templates() -> list[tuple[time, time]]:
    """The slots every region offers until it has templates of its own, from BOOKING_SLOTS."""
    templates = []
    for spec in setting("BOOKING_SLOTS"):
        first, last = (time.fromisoformat(part.strip()) for part in spec.split("-"))
        templates.append((first, last))
    return sorted(templates)


def first_bookable_day(region: Region, now: datetime) -> date:
    """Tomorrow until the cut-off (local), the day after from then on; never today."""
    local = now.astimezone(ZoneInfo(region.time_zone))
    cutoff = time.fromisoformat(setting("BOOKING_CUTOFF"))
    return local.date() + timedelta(days=1 if local.time() < cutoff else 2)


def bookable_days(
    order: Order, now: datetime, first: date | None = None, days: int | None = None
) -> list[date]:
    """The days a customer may pick from: within the horizon, after the cut-off and the goods' arrival."""
    region = order.region
    today = now.astimezone(ZoneInfo(region.time_zone)).date()
    horizon = int(setting("BOOKING_HORIZON_DAYS"))
    opens = max(first_bookable_day(region, now), order.earliest_start, first or today)
    closes = min(today + timedelta(days=horizon), (first or today) + timedelta(days=(days or horizon) - 1))
    return [opens + timedelta(days=n) for n in range((closes - opens).days + 1)]


def slot_windows(
    region: Region, templates: Sequence[tuple[time, time]], day: date, now: datetime
) -> list[tuple[datetime, datetime]]:
    """The day's slots as UTC instants; slots at times daylight saving skips or repeats are left out."""
    earliest = now + timedelta(minutes=int(setting("BOOKING_LEAD_MINUTES")))
    found = []
    for first, last in templates:
        try:
            start, end = (local_instant(day, at, region.time_zone) for at in (first, last))
        except ValueError:
            continue
        if start >= earliest:
            found.append((start, end))
    return found


def available_slots(
    *, order: Order, first: date | None, days: int | None, now: datetime | None = None
) -> list[OfferedSlot]:
    """Every slot a qualified technician can really serve, best first."""
    now = now or utcnow()
    check_bookable(order)
    chosen = bookable_days(order, now, first, days)
    return offers_on(order, chosen, now)


def offers_on(order: Order, days: Sequence[date], now: datetime) -> list[OfferedSlot]:
    """The servable slots on the given days, best first; also the alternatives when a slot has just gone.

    A customer moving their appointment is never offered the slot they already hold: the day is read
    without their own visit, so that slot always looks free, but moving to it changes nothing.
    """
    region = order.region
    tz = ZoneInfo(region.time_zone)
    team = DayTeam.load(region)
    held = order.current_visit.window_start if order.current_visit is not None else None
    found: list[OfferedSlot] = []
    states = team.day_states(order, days)
    templates = slot_templates(region)
    for day in days:
        windows = [w for w in slot_windows(region, templates, day, now) if w[0] != held]
        prepared = states.get(day)
        if not windows or prepared is None:
            continue
        state, job, origin = prepared
        seconds = [slot_span(start, end, origin) for start, end in windows]
        for offer in offer_slots(state, job, seconds):
            found.append(_offered(offer, origin, tz))
    return sorted(found, key=lambda s: (-s.grade, s.start))


def slot_span(start: datetime, end: datetime, origin: datetime) -> TimeWindow:
    """A slot in the core's seconds from the day's origin, as the insertion check reads windows."""
    return TimeWindow(int((start - origin).total_seconds()), int((end - origin).total_seconds()))


def _offered(offer: SlotOffer, origin: datetime, tz: ZoneInfo) -> OfferedSlot:
    return OfferedSlot(
        start=(origin + timedelta(seconds=offer.window.start)).astimezone(tz),
        end=(origin + timedelta(seconds=offer.window.end)).astimezone(tz),
        grade=offer.grade,
        technician_id=offer.insertion.technician_id,
    )


# What the customer is told about a visit's progress, by the visit's status.
STAGES = {
    "booked": "scheduled",
    "planned": "scheduled",
    "dispatched": "scheduled",
    "accepted": "scheduled",
    "en_route": "on_the_way",
    "arrived": "arrived",
    "in_progress": "in_progress",
    "paused": "in_progress",
    "completed": "done",
}


def customer_view(order: Order, now: datetime | None = None) -> dict[str, Any]:
    """The order as its customer may see it: what, where, when, and how far the visit has got."""
    now = now or utcnow()
    # An order waiting for a dispatcher to place it has no region, so no time zone, and no visit yet.
    zone = order.region.time_zone if order.region is not None else None
    tz = ZoneInfo(zone or "UTC")
    visit = order.current_visit
    if visit is None and order.status in (OrderStatus.COMPLETED, OrderStatus.CLOSED):
        visit = next((v for v in reversed(order.visits) if v.status == "completed"), None)
    appointment = None
    if visit is not None:
        stage = STAGES.get(visit.status, "scheduled")
        eta = None
        if stage == "on_the_way":
            # The phone's latest estimate, else when the route planned the arrival.
            progress = db.session.get(VisitProgress, visit.id)
            eta = (progress.eta if progress is not None else None) or visit.planned_arrival
        appointment = {
            "start": visit.window_start.astimezone(tz),
            "end": visit.window_end.astimezone(tz),
            "stage": stage,
            "eta": eta.astimezone(tz) if eta is not None else None,
            "changeable": visit.status == "booked" and visit.day >= first_bookable_day(order.region, now),
        }
    return {
        "reference": order.external_ref,
        "kind": order.kind,
        "status": order.status,
        "items": [{"sku": i.product.sku, "name": i.product.name, "qty": i.qty} for i in order.items],
        "site": {"address": order.site.address},
        "time_zone": zone,
        "earliest_start": order.earliest_start,
        "bookable": order.status in BOOKABLE and (visit is None or visit.status == "booked"),
        "appointment": appointment,
    }


def check_bookable(order: Order) -> None:
    """Refuse orders a customer may no longer book or change on line, before any slot is looked at."""
    if order.status not in BOOKABLE:
        raise Conflict(f"This order cannot be booked on line now (it is {order.status.replace('_', ' ')}).")
    visit = order.current_visit
    if visit is not None and visit.status != "booked":
        raise Conflict("The technician has already taken this visit on; please call us to change it.")
