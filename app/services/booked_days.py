"""The team's booked days: who can serve a region, what each day already holds, and travel between it all.

Every slot query and every booking reads the days afresh from the database; what is built from them (the day's
state for the insertion check, the travel matrix) is kept, keyed by what was read.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import and_, or_, select

from app.extensions import db
from app.models import (
    Absence,
    Order,
    OrderSkill,
    Region,
    ShiftPattern,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    Visit,
    technician_help_regions,
)
from app.services.travel import travel_provider
from dispatch.build import LOADING_KINDS, OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.day import Job
from dispatch.slots import DayState, day_state, with_site
from routing.geo import Point
from routing.matrix import TravelMatrix, TravelTimeProvider
from routing.problem import TimeWindow


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
