"""A first plan by insertion: orders one by one in a given order, each where it adds the least travel.

The planner starts its search from it on a fresh day, taking orders by what leaving them out costs, so
that the search begins with what is owed already placed; the field-day benchmark's priority-first
dispatcher is the same construction in the dispatcher's order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from dispatch.day import DayProblem, Job, TechnicianDay
from dispatch.eligibility import Candidate
from dispatch.plan import PlannedVisit, TechnicianPlan
from routing.problem import Break


@dataclass(frozen=True, slots=True)
class Timed:
    """One technician's route with its times: (job, arrival, start) per visit, breaks, travel."""

    visits: tuple[tuple[Job, int, int], ...]
    breaks: tuple[tuple[int, int], ...]
    travel_seconds: int
    travel_metres: int
    departure: int
    arrival: int


def insert_all(
    problem: DayProblem,
    options: Sequence[tuple[Job, Sequence[Candidate]]],
    first: Callable[[Job], object],
) -> tuple[list[TechnicianPlan], list[int]]:
    """Every job in the order of `first` at its cheapest feasible place: the routes, and the jobs left."""
    routes: dict[int, list[Job]] = {}
    timed: dict[int, Timed] = {}
    left = []
    for job, found in sorted(options, key=lambda pair: first(pair[0])):
        best = _cheapest(problem, job, found, routes, timed)
        if best is None:
            left.append(job.id)
        else:
            routes[best[0]], timed[best[0]] = best[1], best[2]
    return [_plan(t, timed[t]) for t in sorted(timed)], left


def _cheapest(
    problem: DayProblem,
    job: Job,
    found: Sequence[Candidate],
    routes: dict[int, list[Job]],
    timed: dict[int, Timed],
) -> tuple[int, list[Job], Timed] | None:
    """The technician and route that take the job for the least added travel, with its times; None if none."""
    best, least = None, 0
    for c in found:
        tech, route = c.technician, routes.get(c.technician.id, [])
        if tech.shift is None or job.frozen:
            continue
        if tech.capacity is not None and sum(j.demand for j in route) + job.demand > tech.capacity:
            continue
        before = timed[tech.id].travel_seconds if tech.id in timed else 0
        extra = problem.settings.help_cost if c.helping else 0
        for pos in range(len(route) + 1):
            trial = [*route[:pos], job, *route[pos:]]
            result = schedule(problem, tech, trial)
            if result is not None and (best is None or result.travel_seconds - before + extra < least):
                best, least = (tech.id, trial, result), result.travel_seconds - before + extra
    return best


def schedule(problem: DayProblem, tech: TechnicianDay, jobs: list[Job]) -> Timed | None:
    """The route's times from the shift's start, lunch as soon as its time comes; None: it does not fit."""
    assert tech.shift is not None
    t, place = max(tech.shift.start, problem.not_before or 0), tech.departs_from
    pending = sorted(tech.breaks, key=lambda b: b.earliest)
    visits: list[tuple[Job, int, int]] = []
    breaks: list[tuple[int, int]] = []
    seconds = 0
    for job in jobs:
        drive = int(problem.durations[place, job.location])
        # Lunch before this leg once its time has come, or when after this visit would be too late for it.
        while pending and (
            t >= pending[0].earliest or max(t + drive, job.window.start) + job.duration > pending[0].latest
        ):
            t = _lunch(t, pending.pop(0), breaks)
            if t < 0:
                return None
        start = max(t + drive, job.window.start)
        if start > job.window.end:
            return None
        visits.append((job, t + drive, start))
        t, place, seconds = start + job.duration, job.location, seconds + drive
    for brk in pending:
        t = _lunch(t, brk, breaks)
        if t < 0:
            return None
    back = int(problem.durations[place, tech.location])
    if t + back > tech.shift.end:
        return None
    places = [tech.departs_from, *(j.location for j in jobs), tech.location]
    metres = sum(int(problem.distances[a, b]) for a, b in pairwise(places))
    departure = max(tech.shift.start, problem.not_before or 0)
    return Timed(tuple(visits), tuple(breaks), seconds + back, metres, departure, t + back)


def _lunch(t: int, brk: Break, breaks: list[tuple[int, int]]) -> int:
    """Take the break at the first moment it may start from `t`; the time it ends, or -1 when too late."""
    start = max(t, brk.earliest)
    if start > brk.latest:
        return -1
    breaks.append((start, brk.duration))
    return start + brk.duration


def _plan(tech_id: int, timed: Timed) -> TechnicianPlan:
    visits = tuple(
        PlannedVisit(job.id, tech_id, n, arrival, start, start + job.duration, helping=False)
        for n, (job, arrival, start) in enumerate(timed.visits, 1)
    )
    return TechnicianPlan(
        technician_id=tech_id,
        visits=visits,
        breaks=timed.breaks,
        departure=timed.departure,
        arrival=timed.arrival,
        travel_seconds=timed.travel_seconds,
        travel_metres=timed.travel_metres,
    )
