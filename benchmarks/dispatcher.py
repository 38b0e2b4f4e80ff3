"""A simple dispatcher to measure the planner against: the orders that matter most first, each where it fits.

Urgent orders are taken first, then high, then the rest (within each, booked windows first, then the
service-level clock); each goes to the eligible technician and position in their route that adds the least
travel while every window, shift, lunch break and van still holds. It uses the product's own eligibility and
travel matrix, and its plans are checked by `dispatch/verify.py` like the planner's. A fresh day only: nothing
frozen, nothing under way.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from dispatch.day import DAY_FULL, DayProblem, Job, Reason, TechnicianDay
from dispatch.eligibility import Candidate, candidates, explain_ineligible
from dispatch.plan import DayPlan, PlannedVisit, TechnicianPlan, Unassigned
from routing.problem import Break

PRIORITY_RANK = {"urgent": 0, "high": 1}


@dataclass(frozen=True, slots=True)
class _Timed:
    """One technician's route with its times: (job, arrival, start) per visit, breaks, travel."""

    visits: tuple[tuple[Job, int, int], ...]
    breaks: tuple[tuple[int, int], ...]
    travel_seconds: int
    travel_metres: int
    departure: int
    arrival: int


def taken_first(job: Job) -> tuple:
    """The dispatcher's order of work: priority, then a booked window, then the clock, then intake."""
    rank = PRIORITY_RANK.get(job.priority, 2)
    return (rank, not job.promised, -job.overdue_days, not job.due_today, job.id)


def priority_first(problem: DayProblem) -> DayPlan:
    """Each order in the dispatcher's order at its cheapest feasible place, or left out as day_full."""
    working = {t.id: t for t in problem.technicians if t.shift is not None}
    routes: dict[int, list[Job]] = {t: [] for t in working}
    timed: dict[int, _Timed] = {}
    unassigned = []
    for job in sorted(problem.jobs, key=taken_first):
        found = candidates(problem, job)
        best = _cheapest(problem, job, found, routes, timed)
        if best is None:
            reasons = explain_ineligible(problem, job) if not found else [Reason(DAY_FULL, "no room left")]
            unassigned.append(Unassigned(job.id, tuple(reasons)))
        else:
            routes[best[0]], timed[best[0]] = best[1], best[2]
    plans = tuple(_plan(t, timed[t]) for t in sorted(timed))
    return DayPlan(plans, tuple(sorted(unassigned, key=lambda u: u.job_id)), 0.0, 1)


def _cheapest(
    problem: DayProblem,
    job: Job,
    found: list[Candidate],
    routes: dict[int, list[Job]],
    timed: dict[int, _Timed],
) -> tuple[int, list[Job], _Timed] | None:
    """The technician and route that take the job for the least added travel, with its times; None if none."""
    best, least = None, 0
    for c in found:
        tech, route = c.technician, routes[c.technician.id]
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


def schedule(problem: DayProblem, tech: TechnicianDay, jobs: list[Job]) -> _Timed | None:
    """The route's times from the shift's start, lunch as soon as its time comes; None: it does not fit."""
    assert tech.shift is not None
    t, place = tech.shift.start, tech.departs_from
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
    return _Timed(tuple(visits), tuple(breaks), seconds + back, metres, tech.shift.start, t + back)


def _lunch(t: int, brk: Break, breaks: list[tuple[int, int]]) -> int:
    """Take the break at the first moment it may start from `t`; the time it ends, or -1 when too late."""
    start = max(t, brk.earliest)
    if start > brk.latest:
        return -1
    breaks.append((start, brk.duration))
    return start + brk.duration


def _plan(tech_id: int, timed: _Timed) -> TechnicianPlan:
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
