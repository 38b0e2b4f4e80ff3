"""A group of the day as the solver sees it, and the solver's answer read back in the day's own ids.

Technicians become vehicles, jobs become stops, and the day's matrices shrink to the group's places.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dispatch.day import DayProblem, Job
from dispatch.eligibility import Candidate
from dispatch.groups import Group, GroupResult
from dispatch.plan import PlannedVisit, TechnicianPlan
from routing.problem import RoutingProblem, Solution, Stop, TimeWindow, Vehicle


def routing_problem(
    problem: DayProblem, group: Group, visits: dict[int, PlannedVisit] | None = None
) -> RoutingProblem:
    """The group as OR-Tools sees it: its technicians as vehicles, its jobs as stops, its slice of travel."""
    settings = problem.settings
    vehicle_of = {t.id: v for v, t in enumerate(group.technicians)}
    locations = sorted(
        {t.location for t in group.technicians}
        | {t.departs_from for t in group.technicians}
        | {j.location for j in group.jobs}
    )
    local = {loc: i for i, loc in enumerate(locations)}
    grid = np.ix_(locations, locations)
    vehicles = tuple(
        Vehicle(
            start=local[t.departs_from],
            end=local[t.location],
            shift=t.shift,
            capacity=t.capacity,
            breaks=t.breaks,
            fixed_cost=settings.vehicle_fixed_cost,
            soft_max_work=settings.soft_max_work,
            workload_cost=settings.workload_cost if settings.soft_max_work is not None else 0,
        )
        for t in group.technicians
        if t.shift is not None
    )
    stops = tuple(
        _stop(job, found, local[job.location], vehicle_of, problem)
        for job, found in zip(group.jobs, group.options, strict=True)
    )
    return RoutingProblem(
        durations=problem.durations[grid],
        distances=problem.distances[grid],
        vehicles=vehicles,
        stops=stops,
        objective=settings.objective,  # type: ignore[arg-type]
        initial_routes=_initial_routes(group, vehicle_of, visits),
    )


def read_group(group: Group, solution: Solution) -> GroupResult:
    """Routes by technician and the jobs the solver left out, back in the day's own ids."""
    plans = []
    for route in solution.routes:
        tech = group.technicians[route.vehicle]
        visits = tuple(
            PlannedVisit(
                job_id=group.jobs[s.stop].id,
                technician_id=tech.id,
                sequence=n,
                arrival=s.arrival,
                start=s.start,
                end=s.end,
                helping=group.jobs[s.stop].region != tech.primary_region,
            )
            for n, s in enumerate(route.stops, 1)
        )
        plans.append(
            TechnicianPlan(
                technician_id=tech.id,
                visits=visits,
                breaks=tuple((b.start, b.duration) for b in route.breaks),
                departure=route.departure,
                arrival=route.arrival,
                travel_seconds=route.travel_seconds,
                travel_metres=route.travel_metres,
            )
        )
    return plans, [group.jobs[s].id for s in solution.unassigned], solution.wall_seconds


def _stop(
    job: Job, found: Sequence[Candidate], location: int, vehicle_of: dict[int, int], problem: DayProblem
) -> Stop:
    settings = problem.settings
    window = job.window
    if job.frozen and job.planned_start is not None and job.planned_start in window:
        window = TimeWindow(job.planned_start, job.planned_start)
    return Stop(
        location=location,
        window=window,
        service=job.duration,
        demand=job.demand,
        # Busy time elsewhere may give way only where a mistake elsewhere made the day impossible; it is
        # then reported by the check at publication rather than failing the whole plan.
        drop_penalty=None if job.frozen and not job.busy else drop_penalty(job, settings),
        # Leaving out a list that names every vehicle keeps the model free of needless constraints.
        allowed_vehicles=None
        if len(found) == len(vehicle_of)
        else tuple(sorted(vehicle_of[c.technician.id] for c in found)),
        vehicle_costs=tuple((vehicle_of[c.technician.id], settings.help_cost) for c in found if c.helping),
    )


def drop_penalty(job: Job, settings) -> int:
    """What leaving the job out costs: a broken promise, then priority, then the service-level clock."""
    if job.busy:
        return settings.base_drop_penalty * settings.busy_factor
    weight = 1 + dict(settings.priority_factor).get(job.priority, 0)
    if job.promised:
        weight += settings.promised_factor
    if job.overdue_days > 0 or job.due_today:
        clock = settings.due_today_weight + settings.overdue_day_weight * job.overdue_days
        weight += min(settings.clock_weight_cap, clock)
    return settings.base_drop_penalty * weight


def _initial_routes(
    group: Group, vehicle_of: dict[int, int], visits: dict[int, PlannedVisit] | None = None
) -> tuple[tuple[int, ...], ...] | None:
    """The warm start: the first stage's visits when given, else the current assignment by planned start."""
    routes: list[list[tuple[int, int]]] = [[] for _ in group.technicians]
    for s, job in enumerate(group.jobs):
        if visits is None:
            current, order = job.technician_id, job.planned_start
        else:
            visit = visits.get(job.id)
            current, order = (None, None) if visit is None else (visit.technician_id, visit.sequence)
        if (
            current in vehicle_of
            and order is not None
            and any(c.technician.id == current for c in group.options[s])
        ):
            routes[vehicle_of[current]].append((order, s))
    if not any(routes):
        return None
    return tuple(tuple(s for _, s in sorted(route)) for route in routes)
