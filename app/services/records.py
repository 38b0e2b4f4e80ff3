"""The planning core's records of technicians and orders, read from the database in one way everywhere."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from app.models import Order, Technician, Visit
from dispatch import OrderStatus
from dispatch.build import OrderRecord, TechnicianRecord
from dispatch.visits import TAKEN_ON
from routing.geo import Point

# Orders the optimizer may place: not yet started, and not stopped.
PLANNABLE = (
    OrderStatus.AWAITING_GOODS,
    OrderStatus.READY_TO_SCHEDULE,
    OrderStatus.SCHEDULED,
    OrderStatus.DISPATCHED,
)


def day_visits(order: Order, day: date) -> list[Visit]:
    """The order's visits on the day that are still to happen or under way."""
    return [v for v in order.visits if v.day == day and v.status not in Visit.CLOSED_STATUSES]


def day_visit(order: Order, day: date) -> Visit | None:
    """The order's visit on the day that is still to happen or under way."""
    visits = day_visits(order, day)
    return visits[-1] if visits else None


def technician_record_loads() -> tuple:
    """Everything technician_record reads, loaded with the query rather than one row at a time."""
    return (
        selectinload(Technician.skills),
        selectinload(Technician.shifts),
        selectinload(Technician.absences),
        selectinload(Technician.help_regions),
        selectinload(Technician.primary_region),
    )


def technician_record(tech: Technician) -> TechnicianRecord:
    """What the planner needs to know about a technician."""
    return TechnicianRecord(
        id=tech.id,
        code=tech.code,
        home=Point(lat=tech.home_lat, lon=tech.home_lon),
        primary_region=tech.primary_region.code,
        help_regions=tuple(r.code for r in tech.help_regions),
        skills=tuple(sorted((s.skill.code, s.level) for s in tech.skills)),
        crew_size=tech.crew_size,
        van_volume_l=tech.van_volume_l,
        shifts=tuple((s.weekday, s.start_time, s.end_time) for s in tech.shifts),
        absences=tuple((a.start_date, a.end_date, a.reason) for a in tech.absences),
        lunch_start=tech.lunch_start,
        lunch_end=tech.lunch_end,
        lunch_minutes=tech.lunch_minutes,
        time_zone=tech.primary_region.time_zone,
    )


def order_record(order: Order, day: date) -> OrderRecord:
    """What the planner needs to know about an order, with the day's visit if it has one."""
    visits = day_visits(order, day)
    visit = visits[-1] if visits else None
    taken = visit is not None and (visit.locked or visit.status in TAKEN_ON)
    return OrderRecord(
        id=order.id,
        site=Point(lat=order.site.lat, lon=order.site.lon),
        region=order.region.code,
        kind=order.kind,
        priority=order.priority,
        skills=tuple((s.skill.code, s.min_level) for s in order.skills),
        crew_size=order.crew_size,
        duration_min=order.duration_min,
        volume_l=order.volume_l,
        # A visit already promised for the day binds it, whatever the goods' date says.
        earliest_start=order.earliest_start if visit is None else min(order.earliest_start, day),
        sla_due=order.sla_due,
        # A visit's window was given to the customer; it is kept whoever comes.
        promised=(visit.window_start, visit.window_end) if visit is not None else None,
        technician_id=visit.technician_id if visit is not None else None,
        planned_arrival=visit.planned_arrival if visit is not None else None,
        frozen=taken and visit is not None and visit.technician_id is not None,
    )
