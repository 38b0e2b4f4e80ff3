"""Customer self-booking: the slots a region can really serve, booking one, rescheduling and cancelling.

Slots come from the region's templates (local wall-clock times) within the booking horizon, after the
cut-off and the lead time, and never before the goods arrive. Whether a slot can be served is decided by
`dispatch.slots` against the day as already booked. Booking re-checks that inside a transaction that
serialises all bookings touching the same technicians' day, so the last place goes to exactly one customer.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from flask import current_app
from sqlalchemy import and_, or_, select, text

from app.extensions import db
from app.models import (
    Absence,
    Order,
    OrderSkill,
    Region,
    ShiftPattern,
    Site,
    Skill,
    SlotTemplate,
    Technician,
    TechnicianSkill,
    Visit,
    VisitProgress,
    technician_help_regions,
    utcnow,
)
from app.services.booking_links import order_for_booking_token
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events import Actor, record_order_transition, record_visit_change
from app.services.travel import travel_provider
from dispatch import OrderAction, OrderStatus
from dispatch import transition as lifecycle_step
from dispatch.build import LOADING_KINDS, OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.calendar import local_instant
from dispatch.day import Job
from dispatch.slots import DayState, SlotOffer, day_state, offer_slots, with_site
from routing.geo import Point
from routing.matrix import TravelMatrix, TravelTimeProvider
from routing.problem import TimeWindow

# Settings, each overridable as FIELDOPS_BOOKING_*; a region's own slot templates are in slot_templates.
DEFAULTS: Mapping[str, Any] = {
    "BOOKING_SLOTS": ["08:00-10:00", "10:00-12:00", "13:00-15:00", "15:00-17:00", "17:00-19:00"],
    "BOOKING_HORIZON_DAYS": 14,
    "BOOKING_LEAD_MINUTES": 120,
    "BOOKING_CUTOFF": "18:00",  # after this, local, tomorrow can no longer be booked or changed
}
BOOKABLE = (OrderStatus.AWAITING_GOODS, OrderStatus.READY_TO_SCHEDULE, OrderStatus.SCHEDULED)
CUSTOMER = Actor(type="customer", name="customer")
ALTERNATIVES = 5


class SlotUnavailable(Conflict):
    """The slot was free when offered but is not any more; the body carries the next best ones."""


class BookingClosed(Conflict):
    """The appointment is too close to change on line."""


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


def _windows(
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
    _check_bookable(order)
    chosen = bookable_days(order, now, first, days)
    return _offers(order, chosen, now)


def _offers(order: Order, days: Sequence[date], now: datetime) -> list[OfferedSlot]:
    region = order.region
    tz = ZoneInfo(region.time_zone)
    team = DayTeam.load(region)
    found: list[OfferedSlot] = []
    states = team.day_states(order, days)
    templates = slot_templates(region)
    for day in days:
        windows = _windows(region, templates, day, now)
        prepared = states.get(day)
        if not windows or prepared is None:
            continue
        state, job, origin = prepared
        seconds = [_span(start, end, origin) for start, end in windows]
        for offer in offer_slots(state, job, seconds):
            found.append(_offered(offer, origin, tz))
    return sorted(found, key=lambda s: (-s.grade, s.start))


def _span(start: datetime, end: datetime, origin: datetime) -> TimeWindow:
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
    tz = ZoneInfo(order.region.time_zone)
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
        "time_zone": order.region.time_zone,
        "earliest_start": order.earliest_start,
        "bookable": order.status in BOOKABLE and (visit is None or visit.status == "booked"),
        "appointment": appointment,
    }


def _check_bookable(order: Order) -> None:
    if order.status not in BOOKABLE:
        raise Conflict(f"This order cannot be booked on line now (it is {order.status.replace('_', ' ')}).")
    visit = order.current_visit
    if visit is not None and visit.status != "booked":
        raise Conflict("The technician has already taken this visit on; please call us to change it.")


def book_appointment(*, order: Order, start: datetime, now: datetime | None = None) -> Visit:
    """Book (or move) the order's visit to the slot starting at `start`, if it can still be served."""
    now = now or utcnow()
    order_id = order.id
    _check_bookable(order)
    if order.current_visit is not None:  # a closed appointment is the answer, whatever slot was asked for
        _check_changeable(order, order.current_visit, now)
    slot = _requested_slot(order, start, now)
    _start_serialised()
    try:
        visit = _book_locked(order_id, slot, now)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return visit


def _book_locked(order_id: int, slot: tuple[datetime, datetime], now: datetime) -> Visit:
    order = _locked_order(order_id)
    region = order.region
    _check_bookable(order)
    visit = order.current_visit
    if visit is not None:
        _check_changeable(order, visit, now)
    day = slot[0].astimezone(ZoneInfo(region.time_zone)).date()
    team = DayTeam.load(region)
    _serialise_day(team.region_ids, day)
    prepared = team.day_states(order, [day]).get(day)
    offers = [] if prepared is None else offer_slots(prepared[0], prepared[1], [_span(*slot, prepared[2])])
    if not offers:
        db.session.rollback()  # let the others go on while the alternatives are worked out
        order = db.session.get(Order, order_id)
        alternatives = _offers(order, bookable_days(order, now, day, 3), now)
        raise SlotUnavailable(
            "Sorry, this slot has just been taken. Please choose another.",
            extra={"slots": [s.as_json() for s in alternatives[:ALTERNATIVES]]},
        )
    technician_id = offers[0].insertion.technician_id
    window = {"start": slot[0].isoformat(), "end": slot[1].isoformat()}
    if visit is None:
        visit = Visit(
            order=order,
            technician_id=technician_id,
            day=day,
            window_start=slot[0],
            window_end=slot[1],
            status="booked",
        )
        db.session.add(visit)
        db.session.flush()
        record_visit_change(
            visit, action="book", from_state=None, to_state="booked", actor=CUSTOMER, data=window
        )
    else:
        before = {"start": visit.window_start.isoformat(), "end": visit.window_end.isoformat()}
        visit.technician_id, visit.day = technician_id, day
        visit.window_start, visit.window_end = slot
        visit.planned_arrival, visit.sequence = None, None
        record_visit_change(
            visit,
            action="reschedule",
            from_state="booked",
            to_state="booked",
            actor=CUSTOMER,
            data={"from": before, "to": window},
        )
    if order.status != OrderStatus.SCHEDULED:
        record_order_transition(
            order, lifecycle_step(order.status, OrderAction.SCHEDULE), CUSTOMER, data=window
        )
    return visit


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
    if visit.status != "booked":
        raise Conflict("The technician has already taken this visit on; please call us to cancel it.")
    _check_changeable(order, visit, now)
    record_visit_change(visit, action="cancel", from_state="booked", to_state="cancelled", actor=CUSTOMER)
    visit.status = "cancelled"
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
    return _windows(region, slot_templates(region), day, datetime.min.replace(tzinfo=ZoneInfo("UTC")))


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


@dataclass(frozen=True, slots=True, eq=False)
class DayTeam:
    """The region's technicians and what a day's insertion check needs to know about them."""

    region: Region
    technicians: tuple[TechnicianRecord, ...]
    region_ids: frozenset[int]

    @classmethod
    def load(cls, region: Region) -> DayTeam:
        """Active technicians who work in or may help the region, read column by column for speed."""
        helps = select(technician_help_regions.c.technician_id).where(
            technician_help_regions.c.region_id == region.id
        )
        rows = db.session.execute(
            select(
                Technician.id,
                Technician.code,
                Technician.home_lat,
                Technician.home_lon,
                Technician.primary_region_id,
                Region.code,
                Region.time_zone,
                Technician.crew_size,
                Technician.van_volume_l,
                Technician.lunch_start,
                Technician.lunch_end,
                Technician.lunch_minutes,
            )
            .join(Region, Technician.primary_region_id == Region.id)
            .where(
                Technician.active.is_(True),
                or_(Technician.primary_region_id == region.id, Technician.id.in_(helps)),
            )
            .order_by(Technician.id)
        ).all()
        ids = [row[0] for row in rows]
        skills, shifts, absences, helping = _grouped(ids)
        region_ids = {region.id}
        records = []
        for row in rows:
            tech_id, code, lat, lon, primary_id, primary, zone_name, crew, van, l_start, l_end, l_minutes = (
                row
            )
            region_ids.add(primary_id)
            region_ids.update(region_id for region_id, _ in helping.get(tech_id, ()))
            records.append(
                TechnicianRecord(
                    id=tech_id,
                    code=code,
                    home=Point(lat=lat, lon=lon),
                    primary_region=primary,
                    help_regions=tuple(sorted(c for _, c in helping.get(tech_id, ()))),
                    skills=tuple(sorted(skills.get(tech_id, ()))),
                    crew_size=crew,
                    van_volume_l=van,
                    shifts=tuple(sorted(shifts.get(tech_id, ()))),
                    absences=tuple(sorted(absences.get(tech_id, ()))),
                    lunch_start=l_start,
                    lunch_end=l_end,
                    lunch_minutes=l_minutes,
                    time_zone=zone_name,
                )
            )
        return cls(region, tuple(records), frozenset(region_ids))

    def day_states(self, order: Order, days: Sequence[date]) -> dict[date, tuple[DayState, Job, datetime]]:
        """Per day, the booked state of the team, the order as a job, and the day's origin."""
        if not days or not self.technicians:
            return {}
        booked = _booked_rows(self, order, days)
        new = _order_record(order, None)
        matrix = _team_matrix(self.region)
        team = _team_key(self.technicians)
        keys = {day: (id(matrix), team, day, self.region.time_zone, booked.get(day, ())) for day in days}
        with _days_lock:
            known = {day: _days[key] for day, key in keys.items() if key in _days}
        missing = [day for day in days if day not in known]
        if missing:
            records = {day: _records(booked.get(day, ())) for day in missing}
            everything = [record for day in missing for record in records[day]]
            matrix.cover(day_locations(self.technicians, [*everything, new]))
            for day in missing:
                known[day] = _booked_day(matrix, day, self.region.time_zone, self.technicians, records[day])
            with _days_lock:
                for day in missing:
                    _days[keys[day]] = known[day]
                while len(_days) > MAX_CACHED_DAYS:
                    del _days[next(iter(_days))]
        found = {}
        for day in days:
            prepared = known[day]
            if prepared is None:  # a shift or lunch at a time the clocks skip or repeat: no slots that day
                continue
            state, origin, points = prepared
            outbound, inbound = matrix.around(new.site, points)
            state, location = with_site(state, outbound, inbound)
            found[day] = (state, _job(new, location), origin)
        return found


# Booked days as built, keyed by the raw rows read for them: the same technicians and the same visits (as
# read from the database on every query, so any change made anywhere shows) give the same state. Raw rows
# hash far faster than the records built from them, which is what makes a repeated query cheap.
MAX_CACHED_DAYS = 1024
_days: dict[tuple[Any, ...], tuple[DayState, datetime, tuple[Point, ...]] | None] = {}
_days_lock = threading.Lock()
_teams: dict[tuple[TechnicianRecord, ...], int] = {}
_team_numbers = itertools.count(1)


def _team_key(technicians: tuple[TechnicianRecord, ...]) -> int:
    """A number standing for the technicians as read, so that a day's cache key need not hash them all."""
    with _days_lock:
        number = _teams.get(technicians)
        if number is None:
            if len(_teams) >= MAX_CACHED_DAYS:
                _teams.clear()  # numbers are never reused, so days cached under old ones are just not found
            number = _teams[technicians] = next(_team_numbers)
        return number


def _booked_day(
    matrix: TeamMatrix,
    day: date,
    time_zone: str,
    technicians: tuple[TechnicianRecord, ...],
    records: tuple[OrderRecord, ...],
) -> tuple[DayState, datetime, tuple[Point, ...]] | None:
    """The team's day as booked, or None when its shifts fall at times the clocks skip or repeat."""
    points = tuple(day_locations(technicians, records))
    try:
        problem, origin = build_day_problem(day, time_zone, technicians, records, matrix.between(points))
    except ValueError:
        return None
    return day_state(problem), origin, points


def _job(record: OrderRecord, location: int) -> Job:
    """The order asking for a slot, as a job whose window each slot fills in."""
    return Job(
        id=record.id,
        location=location,
        region=record.region,
        duration=record.duration_min * 60,
        window=TimeWindow(0, 0),
        skills=record.skills,
        crew_size=record.crew_size,
        demand=record.volume_l if record.kind in LOADING_KINDS else 0,
        priority=record.priority,
    )


def _grouped(ids: Sequence[int]) -> tuple[dict[int, list[Any]], ...]:
    """Skills, weekly shifts, absences and help regions of the technicians, by technician."""
    queries = (
        select(TechnicianSkill.technician_id, Skill.code, TechnicianSkill.level)
        .join(Skill, TechnicianSkill.skill_id == Skill.id)
        .where(TechnicianSkill.technician_id.in_(ids)),
        select(
            ShiftPattern.technician_id, ShiftPattern.weekday, ShiftPattern.start_time, ShiftPattern.end_time
        ).where(ShiftPattern.technician_id.in_(ids)),
        select(Absence.technician_id, Absence.start_date, Absence.end_date, Absence.reason).where(
            Absence.technician_id.in_(ids)
        ),
        select(technician_help_regions.c.technician_id, Region.id, Region.code)
        .join(Region, technician_help_regions.c.region_id == Region.id)
        .where(technician_help_regions.c.technician_id.in_(ids)),
    )
    found: list[dict[int, list[Any]]] = []
    for query in queries:
        by_tech: dict[int, list[Any]] = {}
        for tech_id, *rest in db.session.execute(query):
            by_tech.setdefault(tech_id, []).append(tuple(rest))
        found.append(by_tech)
    return tuple(found)


def _booked_rows(
    team: DayTeam, order: Order, days: Sequence[date]
) -> dict[date, tuple[tuple[Any, ...], ...]]:
    """The visits already promised on the days to the team, or in the region with nobody yet, as raw rows.

    Each row ends with the visit's skill needs, so that it says everything its booked day depends on.
    """
    tech_ids = [t.id for t in team.technicians]
    promised = (
        Visit.day.in_(list(days)),
        Visit.status.not_in(Visit.CLOSED_STATUSES),
        Visit.order_id != order.id,
        or_(
            Visit.technician_id.in_(tech_ids),
            and_(Visit.technician_id.is_(None), Order.region_id == team.region.id),
        ),
    )
    query = (
        select(
            Visit.order_id,
            Visit.day,
            Visit.window_start,
            Visit.window_end,
            Visit.technician_id,
            Visit.planned_arrival,
            Order.kind,
            Order.duration_min,
            Order.earliest_start,
            Order.sla_due,
            Order.priority,
            Order.crew_size,
            Order.volume_l,
            Site.lat,
            Site.lon,
            Region.code,
        )
        .join(Order, Visit.order_id == Order.id)
        .join(Site, Order.site_id == Site.id)
        .join(Region, Order.region_id == Region.id)
        .where(*promised)
        .order_by(Visit.id)
    )
    rows = db.session.execute(query).all()
    needs: dict[int, list[tuple[str, int]]] = {}
    if rows:
        # The same filter as a subquery: a list of hundreds of order ids would cost more to send than to find.
        orders = select(Visit.order_id).join(Order, Visit.order_id == Order.id).where(*promised)
        skill_rows = db.session.execute(
            select(OrderSkill.order_id, Skill.code, OrderSkill.min_level)
            .join(Skill, OrderSkill.skill_id == Skill.id)
            .where(OrderSkill.order_id.in_(orders))
        )
        for order_id, code, level in skill_rows:
            needs.setdefault(order_id, []).append((code, level))
    found: dict[date, list[tuple[Any, ...]]] = {}
    for row in rows:
        found.setdefault(row.day, []).append((*row, tuple(sorted(needs.get(row.order_id, ())))))
    return {day: tuple(day_rows) for day, day_rows in found.items()}


def _records(rows: Iterable[tuple[Any, ...]]) -> tuple[OrderRecord, ...]:
    """The booked visits' orders as the planning core reads them."""
    found = []
    for row in rows:
        (order_id, day, window_start, window_end, technician_id, planned_arrival, kind, duration_min) = row[
            :8
        ]
        earliest_start, sla_due, priority, crew_size, volume_l, lat, lon, region, skills = row[8:]
        found.append(
            OrderRecord(
                id=order_id,
                site=Point(lat=lat, lon=lon),
                region=region,
                kind=kind,
                duration_min=duration_min,
                # A visit already promised binds its day, whatever the goods' date says.
                earliest_start=min(earliest_start, day),
                sla_due=sla_due,
                priority=priority,
                skills=skills,
                crew_size=crew_size,
                volume_l=volume_l,
                promised=(window_start, window_end),
                technician_id=technician_id,
                planned_arrival=planned_arrival,
            )
        )
    return tuple(found)


def _order_record(order: Order, visit: Visit | None) -> OrderRecord:
    return OrderRecord(
        id=order.id,
        site=Point(lat=order.site.lat, lon=order.site.lon),
        region=order.region.code,
        kind=order.kind,
        duration_min=order.duration_min,
        earliest_start=order.earliest_start,
        sla_due=order.sla_due,
        priority=order.priority,
        skills=_order_skills(order.id),
        crew_size=order.crew_size,
        volume_l=order.volume_l,
    )


def _order_skills(order_id: int) -> tuple[tuple[str, int], ...]:
    """The order's skill needs in one query, rather than one per skill through the relationship."""
    rows = db.session.execute(
        select(Skill.code, OrderSkill.min_level)
        .join(Skill, OrderSkill.skill_id == Skill.id)
        .where(OrderSkill.order_id == order_id)
    )
    return tuple(sorted((code, level) for code, level in rows))


class TeamMatrix:
    """Travel between every point a region's bookings have touched, grown as new sites appear.

    Slot queries ask about the same homes and sites again and again; keeping the square matrix means each
    query only indexes into it, and a new site costs one row and one column.
    """

    MAX_POINTS = 6000  # past this, start afresh rather than grow without bound

    def __init__(self, provider: TravelTimeProvider) -> None:
        self.provider = provider
        self.index: dict[Point, int] = {}
        self.points: list[Point] = []
        self.seconds = np.zeros((0, 0), dtype=np.int64)
        self.metres = np.zeros((0, 0), dtype=np.int64)
        self.lock = threading.RLock()

    def cover(self, points: Sequence[Point]) -> None:
        """Make sure travel between all the points is known."""
        with self.lock:
            fresh = list(dict.fromkeys(p for p in points if p not in self.index))
            if not fresh:
                return
            if len(self.points) + len(fresh) > self.MAX_POINTS:
                self.index, self.points = {}, []
                self.seconds = self.metres = np.zeros((0, 0), dtype=np.int64)
                fresh = list(dict.fromkeys(points))
            everything = [*self.points, *fresh]
            rows = self.provider.matrix(fresh, everything)
            cols = self.provider.matrix(self.points, fresh)
            n, m = len(self.points), len(everything)
            seconds = np.zeros((m, m), dtype=np.int64)
            metres = np.zeros((m, m), dtype=np.int64)
            seconds[:n, :n], metres[:n, :n] = self.seconds, self.metres
            seconds[n:, :], metres[n:, :] = rows.seconds, rows.metres
            seconds[:n, n:], metres[:n, n:] = cols.seconds, cols.metres
            self.seconds, self.metres, self.points = seconds, metres, everything
            self.index.update((p, n + k) for k, p in enumerate(fresh))

    def around(self, site: Point, points: Sequence[Point]) -> tuple[np.ndarray, np.ndarray]:
        """Travel from the site to each point, and from each point to the site."""
        with self.lock:
            self.cover([site, *points])
            rows = np.array([self.index[p] for p in points], dtype=np.int64)
            here = self.index[site]
            return self.seconds[here, rows], self.seconds[rows, here]

    def between(self, points: Sequence[Point]) -> TravelMatrix:
        """Travel between the points, asking the provider about any not yet covered."""
        with self.lock:
            self.cover(points)
            rows = np.array([self.index[p] for p in points], dtype=np.int64)
            grid = np.ix_(rows, rows)
            return TravelMatrix(self.seconds[grid], self.metres[grid])


_matrices: dict[tuple[Any, ...], TeamMatrix] = {}
_matrices_lock = threading.Lock()


def _team_matrix(region: Region) -> TeamMatrix:
    # The shared provider, so that slots are offered on the same travel times the planner will use.
    provider = travel_provider(current_app.config, [region])
    key = (region.id, id(provider))
    with _matrices_lock:
        matrix = _matrices.get(key)
        if matrix is None:
            matrix = _matrices[key] = TeamMatrix(provider)
        return matrix
