"""Planning a day: eligibility first, then OR-Tools per independent group of technicians, then reasons."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from dispatch.construct import insert_all
from dispatch.day import DAY_FULL, PROMISE_BROKEN, DayProblem, Job, Reason
from dispatch.eligibility import Candidate, candidates, explain_ineligible
from dispatch.groups import (
    Group,
    GroupResult,
    by_region,
    first_stage_result,
    independent_groups,
    with_leftovers,
)
from dispatch.hints import clock
from dispatch.model import drop_penalty, read_group, routing_problem
from dispatch.plan import DayPlan, PlannedVisit, TechnicianPlan, Unassigned
from routing.problem import Solution
from routing.solver import SolveOptions, solve, worker_pool

# The plan's types and the drop penalty live with their own concerns; callers know them from here.
__all__ = ["DayPlan", "PlannedVisit", "TechnicianPlan", "Unassigned", "drop_penalty", "plan_day"]

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
    isolated: bool = False,
) -> DayPlan:
    """Assign and sequence the day's jobs; independent groups run in parallel processes.

    Isolated, no search runs in the calling process: OR-Tools holds the GIL while it searches, which would
    stop the caller's other threads (a plan run's heartbeat) for as long.
    """
    options = options or SolveOptions()
    placeable, unassigned = _placeable(problem)
    working = [t for t in problem.technicians if t.shift is not None]
    groups = independent_groups(working, placeable)
    cores = max(1, processes or os.cpu_count() or 1)
    small = [g for g in groups if len(g.jobs) <= SPLIT_ABOVE_JOBS]
    large = [g for g in groups if len(g.jobs) > SPLIT_ABOVE_JOBS]
    if len(groups) == 1 and not large and cores > 1 and len(groups[0].jobs) <= PORTFOLIO_MAX_JOBS:
        # One group cannot use the other cores by itself: a portfolio of searches, one per core, runs on it.
        options = replace(options, workers=max(options.workers, cores))
    results, wall = _solve_in_stages(problem, small, large, options, cores, progress, isolated)

    routes: list[TechnicianPlan] = []
    found_for = {job.id: found for job, found in placeable}
    for group_routes, dropped, _ in results:
        routes.extend(group_routes)
        for job_id in dropped:
            unassigned.append(Unassigned(job_id, (_day_full(problem, found_for[job_id]),)))
    routes.sort(key=lambda r: r.technician_id)
    unassigned = sorted(_flag_broken_promises(problem, unassigned), key=lambda u: u.job_id)
    return DayPlan(routes=tuple(routes), unassigned=tuple(unassigned), wall_seconds=wall, groups=len(groups))


def _flag_broken_promises(problem: DayProblem, unassigned: list[Unassigned]) -> list[Unassigned]:
    """Each order left out although its window was booked with the customer, flagged after its cause."""
    promised = {j.id: j for j in problem.jobs if j.promised and not j.busy}
    flagged = []
    for left in unassigned:
        job = promised.get(left.job_id)
        if job is not None:
            window = f"{clock(job.window.start)}-{clock(job.window.end)}"
            flag = Reason(
                PROMISE_BROKEN,
                f"the window {window} booked with the customer cannot be kept",
                "call the customer to book another window, or free an eligible technician in this one",
            )
            left = Unassigned(left.job_id, (*left.reasons, flag))
        flagged.append(left)
    return flagged


def _placeable(problem: DayProblem) -> tuple[list[tuple[Job, tuple[Candidate, ...]]], list[Unassigned]]:
    """The jobs some working technician may do, with who may; the others, each with why nobody may."""
    unassigned: list[Unassigned] = []
    placeable: list[tuple[Job, tuple[Candidate, ...]]] = []
    for job in problem.jobs:
        found = tuple(candidates(problem, job))
        if found:
            placeable.append((job, found))
        else:
            unassigned.append(Unassigned(job.id, tuple(explain_ineligible(problem, job))))
    return placeable, unassigned


def _solve_in_stages(
    problem: DayProblem,
    small: list[Group],
    large: list[Group],
    options: SolveOptions,
    cores: int,
    progress: Progress | None,
    isolated: bool,
) -> tuple[list[GroupResult], float]:
    """Small groups whole and large ones by region, side by side; then each region on with the leftovers."""
    parts = [by_region(g) for g in large]
    first = small + [part for split in parts for part in split if part.jobs]
    started = time.monotonic()
    first_limit = options.time_limit_s * (FIRST_STAGE_SHARE if large else 1.0)
    first_options = replace(options, time_limit_s=first_limit)
    tick = _Ticker(progress, len(first) + sum(len(split) for split in parts))
    start = _insertion_start(problem, first[len(small) :])
    results = _solve_groups(problem, first, start, first_options, cores, tick, isolated)
    wall = max((seconds for _, _, seconds in results), default=0.0)
    if not large:
        return results, wall
    split_results, results = results[len(small) :], results[: len(small)]
    plans = {plan.technician_id: plan for found, _, _ in split_results for plan in found}
    second: list[Group] = []
    for group, split in zip(large, parts, strict=True):
        joined, dropped = with_leftovers(group, split, plans)
        second.extend(joined)
        results.append(([], dropped, 0.0))
    tick.total = len(first) + len(second)
    remaining = max(1.0, options.time_limit_s - (time.monotonic() - started))
    second_options = replace(options, time_limit_s=remaining)
    joint, joint_wall = _from_first_stage(problem, second, plans, second_options, cores, tick, isolated)
    return results + joint, wall + joint_wall


def _insertion_start(problem: DayProblem, parts: Sequence[Group]) -> dict[int, PlannedVisit] | None:
    """On a fresh day, the regions' first routes by insertion, the orders that cost most to leave out first.

    Started from no routes, the search by region left urgent and high-priority orders out while eligible
    technicians did normal ones (README, field day): it did not find the exchanges in the time it had.
    """
    if not parts or any(job.technician_id is not None for job in problem.jobs):
        return None
    visits: dict[int, PlannedVisit] = {}
    for part in parts:
        pairs = list(zip(part.jobs, part.options, strict=True))
        routes, _ = insert_all(problem, pairs, lambda job: _taken_first(job, problem))
        visits.update((v.job_id, v) for route in routes for v in route.visits)
    return visits


def _taken_first(job: Job, problem: DayProblem) -> tuple[int, int]:
    """Priority first, then what leaving the order out costs: urgent work placed before booked windows."""
    priority = dict(problem.settings.priority_factor).get(job.priority, 0)
    return (-priority, -drop_penalty(job, problem.settings))


def _from_first_stage(
    problem: DayProblem,
    groups: list[Group],
    plans: dict[int, TechnicianPlan],
    options: SolveOptions,
    cores: int,
    tick: _Ticker,
    isolated: bool,
) -> tuple[list[GroupResult], float]:
    """Each region's search on from its first-stage routes, with the seconds the longest one took."""
    visits = {v.job_id: v for plan in plans.values() for v in plan.visits}
    joint = _solve_groups(problem, groups, visits, options, cores, tick, isolated)
    wall = max((seconds for _, _, seconds in joint), default=0.0)
    results = []
    for group, result in zip(groups, joint, strict=True):
        # Should the search from the first stage's routes leave out more of what is owed, those routes stand.
        kept = first_stage_result(group, plans)
        lost = {job.id: drop_penalty(job, problem.settings) for job in group.jobs}
        results.append(result if _owed(result, lost) <= _owed(kept, lost) else kept)
    return results, wall


def _owed(result: GroupResult, lost: dict[int, int]) -> int:
    """What the jobs a result leaves out cost, by the drop-penalty ladder."""
    return sum(lost[job_id] for job_id in result[1])


class _Ticker:
    """Counts finished groups across both stages for the progress callback."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def _solve_groups(
    problem: DayProblem,
    groups: Sequence[Group],
    visits: dict[int, PlannedVisit] | None,
    options: SolveOptions,
    cores: int,
    tick: _Ticker,
    isolated: bool = False,
) -> list[GroupResult]:
    """Solve groups side by side within the options' time limit, from the given visits if any."""
    if not groups:
        return []
    processes = min(cores, len(groups))
    budgets = _time_budgets(groups, options.time_limit_s, processes)
    # Only each group's own slice of the matrices travels to the worker processes.
    models = [routing_problem(problem, g, visits) for g in groups]
    runs = [replace(options, time_limit_s=b) for b in budgets]
    solutions: list[Solution] = []
    # A portfolio's searches run in processes of their own already.
    if processes == 1 and (not isolated or options.workers > 1):
        for model, run in zip(models, runs, strict=True):
            solutions.append(solve(model, run))
            tick()
    else:
        with worker_pool(processes) as pool:
            for solution in pool.map(solve, models, runs):
                solutions.append(solution)
                tick()
    return [read_group(g, s) for g, s in zip(groups, solutions, strict=True)]


def _day_full(problem: DayProblem, found: Sequence[Candidate]) -> Reason:
    names = ", ".join(c.technician.code for c in found[:5]) + (
        f" and {len(found) - 5} more" if len(found) > 5 else ""
    )
    day = f" on {problem.label}" if problem.label else ""
    # The core sees one day only, so the hint points at what can change on it, or away from it.
    hint = f"make room with {names}{day} by moving a lower-priority visit, or offer another day"
    who = f"eligible technician {names} has" if len(found) == 1 else f"eligible technicians {names} have"
    return Reason(DAY_FULL, f"{who} no room left{day}", hint)


def _time_budgets(groups: Sequence[Group], limit: float, processes: int) -> list[float]:
    """Share the wall-clock limit by group size, so that all groups together finish within it."""
    sizes = [len(g.jobs) for g in groups]
    total = sum(sizes) or 1
    return [min(limit, max(1.0, limit * processes * size / total)) for size in sizes]
