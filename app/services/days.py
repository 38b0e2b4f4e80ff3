"""The day as booked: the one loader of a day that the planner, the console and the move check read.

A day of some regions holds their orders, the technicians who work there or may help, and every visit those
technicians have that day in any other region, as busy time: one technician, one day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, Region, Technician, TechnicianPosition, Visit, technician_help_regions
from app.services.records import (
    PLANNABLE,
    day_visit,
    order_record,
    technician_record,
    technician_record_loads,
)
from app.services.travel import travel_provider
from dispatch.build import OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.day import DayProblem, Job, TechnicianDay
from dispatch.underway import ON_SITE, BookedSpan, Clash, FieldVisit, clashes, set_out_points
from dispatch.visits import VisitStatus
from routing.geo import Point
from routing.matrix import TravelTimeProvider


@dataclass(frozen=True, slots=True, eq=False)
class BookedDay:
    """Some regions' day: who works, what is to be done, what they do elsewhere, and the engine's view."""

    regions: tuple[Region, ...]
    day: date
    technicians: list[Technician]
    orders: list[Order]  # the regions' orders of the day, done or not
    elsewhere: list[Visit]  # the technicians' visits of the day in other regions
    problem: DayProblem
    origin: datetime  # the local midnight the problem counts seconds from
    not_before: datetime | None = None

    @property
    def region(self) -> Region:
        """The first region, for pages about one region."""
        return self.regions[0]

    @property
    def zone(self) -> ZoneInfo:
        """The regions' time zone, in which the dispatcher reads every time."""
        return ZoneInfo(self.regions[0].time_zone)

    def at(self, seconds: int) -> datetime:
        """A moment of the problem as a local time."""
        return (self.origin + timedelta(seconds=seconds)).astimezone(self.zone)

    def seconds(self, moment: datetime) -> int:
        """A moment as the problem's seconds from midnight."""
        return int((moment - self.origin).total_seconds())

    def job(self, order_id: int) -> Job | None:
        """The engine's job for an order, if it belongs to the day."""
        return next((j for j in self.problem.jobs if j.id == order_id), None)

    def technician_day(self, technician_id: int) -> TechnicianDay | None:
        """The engine's view of a technician's day."""
        return next((t for t in self.problem.technicians if t.id == technician_id), None)


def load_day(
    regions: Sequence[Region],
    day: date,
    *,
    not_before: datetime | None = None,
    extra_technicians: Sequence[int] = (),
    provider: TravelTimeProvider | None = None,
) -> BookedDay:
    """Read the regions' day, their technicians' visits everywhere, and build the engine's problem."""
    zones = {r.time_zone for r in regions}
    if len(zones) != 1:
        raise ValueError(f"a day is read in one time zone, not {sorted(zones)}")
    region_ids = {r.id for r in regions}
    orders = _day_orders(region_ids, day)
    holders = {v.technician_id for o in orders for v in o.visits if v.day == day and v.technician_id}
    technicians = _day_technicians(region_ids, holders | set(extra_technicians))
    elsewhere = _visits_elsewhere([t.id for t in technicians], region_ids, day)
    tech_records = [technician_record(t) for t in technicians]
    order_records = [order_record(o, day) for o in orders if _to_place(o, day, not_before)]
    order_records += [_busy_record(v, day) for v in elsewhere if _busy(v, not_before)]
    if not_before is not None:
        tech_records = _set_out(tech_records, orders, elsewhere, day, not_before)
    points = day_locations(tech_records, order_records)
    provider = provider or travel_provider(current_app.config, list(regions))
    matrix = provider.matrix(points, points)
    problem, origin = build_day_problem(
        day, regions[0].time_zone, tech_records, order_records, matrix, not_before=not_before
    )
    return BookedDay(tuple(regions), day, technicians, orders, elsewhere, problem, origin, not_before)


def _to_place(order: Order, day: date, not_before: datetime | None) -> bool:
    """Whether the order is work for the engine: still open, and not already on site."""
    visit = day_visit(order, day)
    if visit is None:
        return order.status in PLANNABLE
    # A technician on site sets out from there: that visit is the start of their day, not work to place.
    return not_before is None or visit.status not in ON_SITE


def _busy(visit: Visit, not_before: datetime | None) -> bool:
    """Whether a visit elsewhere still takes up its technician's time."""
    if visit.status in Visit.CLOSED_STATUSES:
        return False
    if not_before is None:
        return True
    # Booked but not yet placed: it may still be done as late as its window allows.
    begin = visit.planned_arrival or visit.window_end
    end = begin + timedelta(minutes=visit.order.duration_min)
    return visit.status not in ON_SITE and end > not_before


def _busy_record(visit: Visit, day: date) -> OrderRecord:
    """Another region's visit as fixed busy time on its technician."""
    return replace(order_record(visit.order, day), busy=True)


def _set_out(
    records: list[TechnicianRecord],
    orders: Sequence[Order],
    elsewhere: Sequence[Visit],
    day: date,
    not_before: datetime,
) -> list[TechnicianRecord]:
    """Each technician's day from `not_before`, starting where they are."""
    visits = [v for o in orders for v in o.visits if v.day == day] + list(elsewhere)
    field = [
        FieldVisit(
            v.technician_id, _site(v.order), VisitStatus(v.status), v.planned_arrival, v.order.duration_min
        )
        for v in visits
        if v.technician_id is not None and v.planned_arrival is not None and v.status != VisitStatus.CANCELLED
    ]
    reported = select(TechnicianPosition).where(TechnicianPosition.technician_id.in_([r.id for r in records]))
    positions = {
        p.technician_id: (Point(lat=p.lat, lon=p.lon), p.reported_at) for p in db.session.scalars(reported)
    }
    points = set_out_points(not_before, field, positions)
    return [
        replace(r, start_site=points[r.id].site, available_from=points[r.id].at) if r.id in points else r
        for r in records
    ]


def _site(order: Order) -> Point:
    return Point(lat=order.site.lat, lon=order.site.lon)


def _day_orders(region_ids: set[int], day: date) -> list[Order]:
    """Open orders that could be served on the day, and everything booked for it, done or not."""
    open_visit = and_(Visit.order_id == Order.id, Visit.status.not_in(Visit.CLOSED_STATUSES))
    waiting = and_(
        Order.status.in_(PLANNABLE),
        Order.earliest_start <= day,
        ~exists().where(open_visit, Visit.day != day),
    )
    booked = exists().where(Visit.order_id == Order.id, Visit.day == day, Visit.status != "cancelled")
    query = (
        select(Order)
        .where(Order.region_id.in_(region_ids), or_(waiting, booked))
        .options(*order_loads())
        .order_by(Order.id)
    )
    return list(db.session.scalars(query))


def order_loads() -> tuple:
    """Everything order_record and the board read, loaded with the query rather than row by row."""
    return (
        selectinload(Order.visits),
        selectinload(Order.skills),
        selectinload(Order.site),
        selectinload(Order.customer),
        selectinload(Order.region),
    )


def _day_technicians(region_ids: set[int], also: set[int]) -> list[Technician]:
    """Active technicians who work in or may help the regions, and whoever holds the day's visits."""
    helps = select(technician_help_regions.c.technician_id).where(
        technician_help_regions.c.region_id.in_(region_ids)
    )
    query = (
        select(Technician)
        .where(
            or_(
                and_(
                    Technician.active.is_(True),
                    or_(Technician.primary_region_id.in_(region_ids), Technician.id.in_(helps)),
                ),
                Technician.id.in_(also),
            )
        )
        .options(*technician_record_loads())
        .order_by(Technician.code)
    )
    return list(db.session.scalars(query))


def _visits_elsewhere(technician_ids: list[int], region_ids: set[int], day: date) -> list[Visit]:
    """The technicians' visits of the day in regions other than these, done or not, placed or only booked."""
    return _visits_of(technician_ids, day, Order.region_id.not_in(region_ids))


def technician_visits(technician_ids: Sequence[int], day: date) -> list[Visit]:
    """The technicians' visits of the day in every region, done or not, placed or only booked."""
    return _visits_of(technician_ids, day)


def _visits_of(technician_ids: Sequence[int], day: date, *where: Any) -> list[Visit]:
    """The technicians' visits of the day that were not cancelled, with their orders, in time order."""
    query = (
        select(Visit)
        .join(Order, Visit.order_id == Order.id)
        .where(
            Visit.technician_id.in_(list(technician_ids)),
            Visit.day == day,
            Visit.status != VisitStatus.CANCELLED,
            *where,
        )
        .options(selectinload(Visit.order).options(*order_loads()))
        .order_by(Visit.planned_arrival.is_(None), Visit.planned_arrival, Visit.window_start, Visit.id)
    )
    return list(db.session.scalars(query))


def day_clashes(technician_ids: Sequence[int], day: date) -> dict[int, list[Clash]]:
    """Per technician, the placed visits they cannot all make: overlapping, or too close to drive."""
    # Visits only booked have no time to clash with yet: the planner and the move check fit them in their
    # windows.
    visits = [v for v in technician_visits(technician_ids, day) if v.planned_arrival is not None]
    if not visits:
        return {}
    sites = list(dict.fromkeys(_site(v.order) for v in visits))
    regions = list({v.order.region.id: v.order.region for v in visits}.values())
    travel = travel_provider(current_app.config, regions).matrix(sites, sites).seconds
    index = {site: n for n, site in enumerate(sites)}
    spans: dict[int, list[BookedSpan]] = {}
    for visit in visits:
        assert visit.technician_id is not None and visit.planned_arrival is not None
        start = int(visit.planned_arrival.timestamp())
        spans.setdefault(visit.technician_id, []).append(
            BookedSpan(
                order_id=visit.order_id,
                location=index[_site(visit.order)],
                start=start,
                end=start + visit.order.duration_min * 60,
                region=visit.order.region.code,
            )
        )
    found = {tech_id: clashes(day_spans, travel) for tech_id, day_spans in spans.items()}
    return {tech_id: found_clashes for tech_id, found_clashes in found.items() if found_clashes}


def resequence(technician_id: int, day: date) -> None:
    """Number a technician's visits of the day, in every region, in the order of their planned arrival."""
    visits = db.session.scalars(
        select(Visit).where(
            Visit.technician_id == technician_id,
            Visit.day == day,
            Visit.status.not_in(Visit.CLOSED_STATUSES),
            Visit.planned_arrival.is_not(None),
        )
    ).all()
    for number, visit in enumerate(sorted(visits, key=lambda v: v.planned_arrival), start=1):
        if visit.sequence != number:
            visit.sequence = number
