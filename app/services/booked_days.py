"""The team's booked days: who can serve a region, what each day already holds, and travel between it all.

Every slot query and every booking reads the days afresh from the database; what is built from them (the day's
state for the insertion check, the travel matrix) is kept, keyed by what was read.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select

from app.extensions import db
from app.models import (
    Order,
    OrderSkill,
    Region,
    Site,
    Skill,
    Technician,
    Visit,
    technician_help_regions,
)
from app.services.records import booked_order_record, order_record, read_technician_records
from app.services.team_matrix import TeamMatrix, team_matrix
from dispatch.build import LOADING_KINDS, OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.day import Job
from dispatch.slots import DayState, day_state, with_site
from routing.geo import Point
from routing.problem import TimeWindow


@dataclass(frozen=True, slots=True, eq=False)
class DayTeam:
    """The region's technicians and what a day's insertion check needs to know about them."""

    region: Region
    technicians: tuple[TechnicianRecord, ...]
    region_ids: frozenset[int]

    @classmethod
    def load(cls, region: Region) -> DayTeam:
        """Active technicians who work in or may help the region."""
        helps = select(technician_help_regions.c.technician_id).where(
            technician_help_regions.c.region_id == region.id
        )
        records, regions = read_technician_records(
            Technician.active.is_(True),
            or_(Technician.primary_region_id == region.id, Technician.id.in_(helps)),
        )
        region_ids = {region.id}.union(*regions.values())
        return cls(region, tuple(records), frozenset(region_ids))

    def day_states(self, order: Order, days: Sequence[date]) -> dict[date, tuple[DayState, Job, datetime]]:
        """Per day, the booked state of the team, the order as a job, and the day's origin."""
        if not days or not self.technicians:
            return {}
        booked = _booked_rows(self, order, days)
        new = order_record(order, days[0])
        matrix = team_matrix(self.region)
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


def _booked_rows(team: DayTeam, order: Order, days: Sequence[date]) -> dict[date, tuple[BookedRow, ...]]:
    """The visits already promised on the days to the team, or in the region with nobody yet, as raw rows.

    Each row comes with the visit's skill needs, so that it says everything its booked day depends on.
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
    rows = db.session.execute(_booked_query(promised)).all()
    needs = _skill_needs(promised) if rows else {}
    found: dict[date, list[BookedRow]] = {}
    for row in rows:
        found.setdefault(row.day, []).append((row, tuple(sorted(needs.get(row.order_id, ())))))
    return {day: tuple(day_rows) for day, day_rows in found.items()}


# A booked visit as read (named columns), with its order's skill needs.
BookedRow = tuple[Any, tuple[tuple[str, int], ...]]


def _booked_query(promised: tuple[Any, ...]) -> Select[Any]:
    """The promised visits with exactly the columns their booked day depends on."""
    return (
        select(
            Visit.order_id,
            Visit.day,
            Visit.window_start,
            Visit.window_end,
            Visit.technician_id,
            Visit.planned_arrival,
            Visit.locked,
            Visit.status,
            Order.id,
            Order.kind,
            Order.duration_min,
            Order.earliest_start,
            Order.sla_due,
            Order.priority,
            Order.crew_size,
            Order.volume_l,
            Site.lat,
            Site.lon,
            Region.code.label("region"),
        )
        .join(Order, Visit.order_id == Order.id)
        .join(Site, Order.site_id == Site.id)
        .join(Region, Order.region_id == Region.id)
        .where(*promised)
        .order_by(Visit.id)
    )


def _skill_needs(promised: tuple[Any, ...]) -> dict[int, list[tuple[str, int]]]:
    """The skill needs of the promised visits' orders, by order."""
    # The same filter as a subquery: a list of hundreds of order ids would cost more to send than to find.
    orders = select(Visit.order_id).join(Order, Visit.order_id == Order.id).where(*promised)
    skill_rows = db.session.execute(
        select(OrderSkill.order_id, Skill.code, OrderSkill.min_level)
        .join(Skill, OrderSkill.skill_id == Skill.id)
        .where(OrderSkill.order_id.in_(orders))
    )
    needs: dict[int, list[tuple[str, int]]] = {}
    for order_id, code, level in skill_rows:
        needs.setdefault(order_id, []).append((code, level))
    return needs


def _records(rows: Sequence[BookedRow]) -> tuple[OrderRecord, ...]:
    """The booked visits' orders as the planning core reads them."""
    return tuple(booked_order_record(row, skills) for row, skills in rows)
