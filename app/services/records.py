"""The planning core's records of technicians and orders, read from the database in one way everywhere."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Absence,
    Order,
    Region,
    ShiftPattern,
    Skill,
    Technician,
    TechnicianSkill,
    Visit,
    technician_help_regions,
)
from dispatch import OrderStatus
from dispatch.build import OrderRecord, TechnicianRecord
from dispatch.underway import WindowedVisit, expected_starts
from dispatch.visits import TAKEN_ON, VisitStatus
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


@dataclass(frozen=True, slots=True)
class TimedVisit:
    """A technician's visit and when it takes place: as placed, or, only booked so far, as expected."""

    visit: Visit
    start: datetime  # aware
    placed: bool  # False: a customer booked it and no plan or dispatcher has given it a time yet

    @property
    def end(self) -> datetime:
        """When the work on site ends."""
        return self.start + timedelta(minutes=self.visit.order.duration_min)


def timed_visits(visits: Iterable[Visit]) -> list[TimedVisit]:
    """The visits that have a technician, each with its start, in time order; pass a technician's whole day.

    A visit only booked has a window but no time: it is shown at the earliest moment in its window that its
    technician's day leaves free, so that the day reads the same wherever it is shown.
    """
    held = [v for v in visits if v.technician_id is not None and v.status != VisitStatus.CANCELLED]
    found = []
    for tech_id in {v.technician_id for v in held}:
        found += _technician_times([v for v in held if v.technician_id == tech_id])
    return sorted(found, key=lambda t: (t.start, t.visit.id))


def _technician_times(visits: list[Visit]) -> list[TimedVisit]:
    """One technician's visits of a day with their times, placed or expected."""
    placed = [TimedVisit(v, v.planned_arrival, True) for v in visits if v.planned_arrival is not None]
    booked = {v.id: v for v in visits if v.planned_arrival is None}
    starts = expected_starts(
        [(_seconds(t.start), _seconds(t.end)) for t in placed],
        [
            WindowedVisit(v.id, _seconds(v.window_start), _seconds(v.window_end), _length(v))
            for v in booked.values()
        ],
    )
    expected = [
        TimedVisit(booked[i], datetime.fromtimestamp(start, UTC), False) for i, start in starts.items()
    ]
    return placed + expected


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _length(visit: Visit) -> int:
    return visit.order.duration_min * 60


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
    """What the planner needs to know about a technician, from the loaded row."""
    return _technician(
        TechnicianColumns(
            tech.id, tech.code, tech.home_lat, tech.home_lon, tech.primary_region.code,
            tech.primary_region.time_zone, tech.crew_size, tech.van_volume_l,
            tech.lunch_start, tech.lunch_end, tech.lunch_minutes,
        ),
        skills=[(s.skill.code, s.level) for s in tech.skills],
        shifts=[(s.weekday, s.start_time, s.end_time) for s in tech.shifts],
        absences=[(a.start_date, a.end_date, a.reason) for a in tech.absences],
        help_regions=[r.code for r in tech.help_regions],
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TechnicianColumns:
    """A technician's own columns, as read from the row or the table."""

    id: int
    code: str
    home_lat: float
    home_lon: float
    primary_region: str
    time_zone: str
    crew_size: int
    van_volume_l: int
    lunch_start: time
    lunch_end: time
    lunch_minutes: int


def _technician(
    columns: TechnicianColumns,
    *,
    skills: Iterable[tuple[str, int]],
    shifts: Iterable[tuple[int, time, time]],
    absences: Iterable[tuple[date, date, str]],
    help_regions: Iterable[str],
) -> TechnicianRecord:
    """The one shape of a technician record, its lists in a fixed order so that equal days compare equal."""
    return TechnicianRecord(
        id=columns.id,
        code=columns.code,
        home=Point(lat=columns.home_lat, lon=columns.home_lon),
        primary_region=columns.primary_region,
        help_regions=tuple(sorted(help_regions)),
        skills=tuple(sorted(skills)),
        crew_size=columns.crew_size,
        van_volume_l=columns.van_volume_l,
        shifts=tuple(sorted(shifts)),
        absences=tuple(sorted(absences)),
        lunch_start=columns.lunch_start,
        lunch_end=columns.lunch_end,
        lunch_minutes=columns.lunch_minutes,
        time_zone=columns.time_zone,
    )


def read_technician_records(*where: Any) -> tuple[list[TechnicianRecord], dict[int, set[int]]]:
    """Technicians matching `where` as the planner needs them, read column by column (slot queries read
    them every time, and this is several times faster than loading the rows); and each one's region ids."""
    rows = db.session.execute(
        select(
            Technician.id, Technician.code, Technician.home_lat, Technician.home_lon,
            Region.code.label("primary_region"), Region.time_zone, Technician.crew_size,
            Technician.van_volume_l, Technician.lunch_start, Technician.lunch_end, Technician.lunch_minutes,
            Technician.primary_region_id,
        )
        .join(Region, Technician.primary_region_id == Region.id)
        .where(*where)
        .order_by(Technician.id)
    ).all()  # fmt: skip
    skills, shifts, absences, helping = _grouped([row.id for row in rows])
    records, regions = [], {}
    for row in rows:
        columns = TechnicianColumns(*row[:11])
        mine = helping.get(row.id, [])
        records.append(
            _technician(
                columns,
                skills=skills.get(row.id, []),
                shifts=shifts.get(row.id, []),
                absences=absences.get(row.id, []),
                help_regions=[code for _, code in mine],
            )
        )
        regions[row.id] = {row.primary_region_id, *(region_id for region_id, _ in mine)}
    return records, regions


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


def order_record(order: Order, day: date) -> OrderRecord:
    """What the planner needs to know about an order, with the day's visit if it has one."""
    visits = day_visits(order, day)
    skills = tuple((s.skill.code, s.min_level) for s in order.skills)
    site = Point(lat=order.site.lat, lon=order.site.lon)
    return _order(order, site, order.region.code, skills, visits[-1] if visits else None, day)


def booked_order_record(row: Any, skills: tuple[tuple[str, int], ...]) -> OrderRecord:
    """The same record from a booked visit read column by column (slot queries read hundreds of them):
    the row names the order's and the visit's columns as the models do, with `lat`, `lon` and `region`."""
    return _order(row, Point(lat=row.lat, lon=row.lon), row.region, skills, row, row.day)


def _order(
    order: Any, site: Point, region: str, skills: tuple[tuple[str, int], ...], visit: Any | None, day: date
) -> OrderRecord:
    """The one shape of an order record; `order` and `visit` are rows or anything with their columns."""
    taken = visit is not None and (visit.locked or visit.status in TAKEN_ON)
    return OrderRecord(
        id=order.id,
        site=site,
        region=region,
        kind=order.kind,
        priority=order.priority,
        skills=skills,
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
