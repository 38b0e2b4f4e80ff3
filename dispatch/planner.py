"""Planning a day: eligibility first, then OR-Tools per independent group of technicians, then reasons."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from dispatch.day import DAY_FULL, DayProblem, Job, Reason, TechnicianDay
from dispatch.eligibility import Candidate, candidates, explain_ineligible
from routing.problem import RoutingProblem, Solution, Stop, TimeWindow, Vehicle
from routing.solver import SolveOptions, solve, worker_context


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    job_id: int
    technician_id: int
    sequence: int
    arrival: int
    start: int
    end: int
    helping: bool


@dataclass(frozen=True, slots=True)
class TechnicianPlan:
    technician_id: int
    visits: tuple[PlannedVisit, ...]
    breaks: tuple[tuple[int, int], ...]  # (start, duration)
    departure: int
    arrival: int
    travel_seconds: int
    travel_metres: int


@dataclass(frozen=True, slots=True)
class Unassigned:
    job_id: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The result of planning: the working technicians' routes, and every job left out with its reasons."""

    routes: tuple[TechnicianPlan, ...]
    unassigned: tuple[Unassigned, ...]
    wall_seconds: float
    groups: int

    @property
    def travel_seconds(self) -> int:
        return sum(r.travel_seconds for r in self.routes)

    @property
    def travel_metres(self) -> int:
        return sum(r.travel_metres for r in self.routes)

    @property
    def assigned(self) -> int:
        return sum(len(r.visits) for r in self.routes)


@dataclass(frozen=True, slots=True, eq=False)
class _Group:
    """Technicians and jobs that interact; groups share nobody and are solved independently."""

    technicians: tuple[TechnicianDay, ...]
    jobs: tuple[Job, ...]
    options: tuple[tuple[Candidate, ...], ...]  # per job


Progress = Callable[[int, int], None]

# Up to this many jobs a lone group is searched by the solver's portfolio. Beyond it, the ruin searches and
# the savings start take too long per step: on the 2,000-order field day they found no plan in 60 s.
PORTFOLIO_MAX_JOBS = 400

# Above this many jobs a group is planned by region, in two stages. First each region's own technicians
# take their region's jobs, the regions in parallel. Then every region searches on from its routes, joined by
# the jobs left out that its technicians may help with, each given to the helping region with the most idle
# time. Searched whole, the 1,495-job group of the field day spent 57 of its 60 s on a first solution and
# sometimes found none; and OR-Tools cannot restart such a model with breaks from given routes.
SPLIT_ABOVE_JOBS = 400

# The first stage's share of the time limit when a group is split.
FIRST_STAGE_SHARE = 0.5


def plan_day(
    problem: DayProblem,
    options: SolveOptions | None = None,
    *,
    processes: int | None = None,
    progress: Progress | None = None,
) -> DayPlan:
    """Assign and sequence the day's jobs; independent groups run in parallel processes."""
    options = options or SolveOptions()
    unassigned: list[Unassigned] = []
    placeable: list[tuple[Job, tuple[Candidate, ...]]] = []
    for job in problem.jobs:
        found = tuple(candidates(problem, job))
        if found:
            placeable.append((job, found))
        else:
            unassigned.append(Unassigned(job.id, tuple(explain_ineligible(problem, job))))
    working = [t for t in problem.technicians if t.shift is not None]
    groups = _groups(working, placeable)
    cores = max(1, processes or os.cpu_count() or 1)
    small = [g for g in groups if len(g.jobs) <= SPLIT_ABOVE_JOBS]
    large = [g for g in groups if len(g.jobs) > SPLIT_ABOVE_JOBS]
    parts = [_by_region(g) for g in large]
    first = small + [part for split in parts for part in split if part.jobs]
    if len(groups) == 1 and not large and cores > 1 and len(groups[0].jobs) <= PORTFOLIO_MAX_JOBS:
        # One group cannot use the other cores by itself: a portfolio of searches, one per core, runs on it.
        options = replace(options, workers=max(options.workers, cores))
    started = time.monotonic()
    first_limit = options.time_limit_s * (FIRST_STAGE_SHARE if large else 1.0)
    first_options = replace(options, time_limit_s=first_limit)
    tick = _Ticker(progress, len(first) + sum(len(split) for split in parts))
    results = _solve_groups(problem, first, None, first_options, cores, tick)
    wall = max((seconds for _, _, seconds in results), default=0.0)
    if large:
        split_results, results = results[len(small) :], results[: len(small)]
        plans = {plan.technician_id: plan for found, _, _ in split_results for plan in found}
        second: list[_Group] = []
        for group, split in zip(large, parts, strict=True):
            joined, dropped = _with_leftovers(group, split, plans)
            second.extend(joined)
            results.append(([], dropped, 0.0))
        tick.total = len(first) + len(second)
        visits = {v.job_id: v for plan in plans.values() for v in plan.visits}
        remaining = max(1.0, options.time_limit_s - (time.monotonic() - started))
        joint = _solve_groups(problem, second, visits, replace(options, time_limit_s=remaining), cores, tick)
        wall += max((seconds for _, _, seconds in joint), default=0.0)
        for group, result in zip(second, joint, strict=True):
            # Should the search from the first stage's routes do worse, those routes stand.
            kept = _kept(group, plans)
            results.append(result if len(result[1]) <= len(kept[1]) else kept)

    routes: list[TechnicianPlan] = []
    by_id = {job.id: (job, found) for job, found in placeable}
    for group_routes, dropped, _ in results:
        routes.extend(group_routes)
        for job_id in dropped:
            job, found = by_id[job_id]
            unassigned.append(Unassigned(job_id, (_day_full(problem, found),)))
    routes.sort(key=lambda r: r.technician_id)
    unassigned.sort(key=lambda u: u.job_id)
    return DayPlan(routes=tuple(routes), unassigned=tuple(unassigned), wall_seconds=wall, groups=len(groups))


class _Ticker:
    """Counts finished groups across both stages for the progress callback."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


_GroupResult = tuple[list[TechnicianPlan], list[int], float]


def _solve_groups(
    problem: DayProblem,
    groups: Sequence[_Group],
    visits: dict[int, PlannedVisit] | None,
    options: SolveOptions,
    cores: int,
    tick: _Ticker,
) -> list[_GroupResult]:
    """Solve groups side by side within the options' time limit, from the given visits if any."""
    if not groups:
        return []
    processes = min(cores, len(groups))
    budgets = _time_budgets(groups, options.time_limit_s, processes)
    # Only each group's own slice of the matrices travels to the worker processes.
    models = [_routing_problem(problem, g, visits) for g in groups]
    runs = [replace(options, time_limit_s=b) for b in budgets]
    solutions: list[Solution] = []
    if processes == 1:
        for model, run in zip(models, runs, strict=True):
            solutions.append(solve(model, run))
            tick()
    else:
        with ProcessPoolExecutor(max_workers=processes, mp_context=worker_context()) as pool:
            for solution in pool.map(solve, models, runs):
                solutions.append(solution)
                tick()
    return [_read_group(g, s) for g, s in zip(groups, solutions, strict=True)]


def _by_region(group: _Group) -> list[_Group]:
    """The group's technicians by region, each job kept to its own region's technicians, if it has any."""
    own = []
    for job, found in zip(group.jobs, group.options, strict=True):
        # A frozen job keeps its technician, helping or not.
        keep = found if job.frozen else tuple(c for c in found if not c.helping)
        if keep:
            own.append((job, keep))
    parts = _groups(group.technicians, own)
    # Technicians with no job of their own region yet join their region's part, or make one.
    placed = {t.id for part in parts for t in part.technicians}
    part_of = {t.primary_region: n for n, part in enumerate(parts) for t in part.technicians}
    for tech in group.technicians:
        if tech.id in placed:
            continue
        n = part_of.setdefault(tech.primary_region, len(parts))
        if n == len(parts):
            parts.append(_Group((tech,), (), ()))
        else:
            parts[n] = replace(parts[n], technicians=(*parts[n].technicians, tech))
    return parts


def _with_leftovers(
    group: _Group, parts: Sequence[_Group], plans: dict[int, TechnicianPlan]
) -> tuple[list[_Group], list[int]]:
    """The parts joined by the jobs the first stage left out, and the jobs that no part can take."""
    part_of = {t.id: n for n, part in enumerate(parts) for t in part.technicians}
    idle = []
    for part in parts:
        shifts = sum(t.shift.end - t.shift.start for t in part.technicians if t.shift is not None)
        spans = sum(plans[t.id].arrival - plans[t.id].departure for t in part.technicians if t.id in plans)
        idle.append(shifts - spans)
    jobs: list[dict[int, tuple[Job, tuple[Candidate, ...]]]] = [
        {job.id: (job, found) for job, found in zip(part.jobs, part.options, strict=True)} for part in parts
    ]
    home_of = {job.id: n for n, part in enumerate(parts) for job in part.jobs}
    served = {v.job_id for plan in plans.values() for v in plan.visits}
    dropped = []
    for job, found in zip(group.jobs, group.options, strict=True):
        if job.id in served or job.frozen:
            continue
        home = home_of.get(job.id)
        helpers = sorted({part_of[c.technician.id] for c in found} - {home})
        if not helpers:
            if home is None:
                dropped.append(job.id)
            continue
        target = max(helpers, key=lambda n: idle[n])
        idle[target] -= job.duration
        if home is not None:
            del jobs[home][job.id]
        keep = tuple(c for c in found if part_of[c.technician.id] == target)
        jobs[target][job.id] = (job, keep)
    joined = [
        _Group(part.technicians, tuple(j for j, _ in own.values()), tuple(f for _, f in own.values()))
        for part, own in zip(parts, jobs, strict=True)
        if own
    ]
    return joined, dropped


def _kept(group: _Group, plans: dict[int, TechnicianPlan]) -> _GroupResult:
    """The first stage's plans for the group's technicians, and its jobs they do not serve."""
    kept = [plans[t.id] for t in group.technicians if t.id in plans]
    served = {v.job_id for plan in kept for v in plan.visits}
    return kept, [job.id for job in group.jobs if job.id not in served], 0.0


def _day_full(problem: DayProblem, found: Sequence[Candidate]) -> Reason:
    names = ", ".join(c.technician.code for c in found[:5]) + (
        f" and {len(found) - 5} more" if len(found) > 5 else ""
    )
    day = f" on {problem.label}" if problem.label else ""
    # The core sees one day only, so the hint points at what can change on it, or away from it.
    hint = f"make room with {names}{day} by moving a lower-priority visit, or offer another day"
    return Reason(DAY_FULL, f"eligible technicians {names} have no room left{day}", hint)


def _groups(
    technicians: Sequence[TechnicianDay], placeable: Sequence[tuple[Job, tuple[Candidate, ...]]]
) -> list[_Group]:
    """Connected components of the technician-job eligibility graph."""
    parent = {t.id: t.id for t in technicians}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, found in placeable:
        first = find(found[0].technician.id)
        for candidate in found[1:]:
            parent[find(candidate.technician.id)] = first
    members: dict[int, list[TechnicianDay]] = {}
    for tech in technicians:
        members.setdefault(find(tech.id), []).append(tech)
    jobs: dict[int, list[tuple[Job, tuple[Candidate, ...]]]] = {}
    for job, found in placeable:
        jobs.setdefault(find(found[0].technician.id), []).append((job, found))
    return [
        _Group(tuple(members[root]), tuple(j for j, _ in jobs[root]), tuple(f for _, f in jobs[root]))
        for root in sorted(jobs)
    ]


def _time_budgets(groups: Sequence[_Group], limit: float, processes: int) -> list[float]:
    """Share the wall-clock limit by group size, so that all groups together finish within it."""
    sizes = [len(g.jobs) for g in groups]
    total = sum(sizes) or 1
    return [min(limit, max(1.0, limit * processes * size / total)) for size in sizes]


def _routing_problem(
    problem: DayProblem, group: _Group, visits: dict[int, PlannedVisit] | None = None
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


def _read_group(group: _Group, solution: Solution) -> tuple[list[TechnicianPlan], list[int], float]:
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
    """What leaving the job out costs: priority, a broken promise, and the service-level due date."""
    if job.busy:
        return settings.base_drop_penalty * settings.busy_factor
    factor = dict(settings.priority_factor).get(job.priority, 1)
    penalty = settings.base_drop_penalty * factor
    if job.promised:
        penalty *= settings.promised_factor
    if job.overdue_days > 0:
        penalty += settings.overdue_day_penalty * (job.overdue_days + 1)
    elif job.due_today:
        penalty += settings.due_today_penalty
    return penalty


def _initial_routes(
    group: _Group, vehicle_of: dict[int, int], visits: dict[int, PlannedVisit] | None = None
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
