"""The adapter to OR-Tools: solves a RoutingProblem within its time limit and hands back a Solution.

routing.model builds OR-Tools' model and reads its answer; routing.search chooses how it is searched.
"""

from __future__ import annotations

import time
from dataclasses import replace

from routing.model import Model
from routing.problem import RoutingProblem, Solution
from routing.processes import worker_pool
from routing.search import (
    ITERATED_LOCAL_SEARCH,
    PORTFOLIO_SEARCHES,
    RUIN_AND_RECREATE,
    RUIN_SEARCHES,
    SolveOptions,
    leave_out_unused_operators,
    portfolio,
    search_parameters,
    short_arc_cost,
)

# The search options and strategies are known from here too, where callers and tests have always found them.
__all__ = [
    "ITERATED_LOCAL_SEARCH",
    "PORTFOLIO_SEARCHES",
    "RUIN_AND_RECREATE",
    "SolveOptions",
    "portfolio",
    "search_parameters",
    "short_arc_cost",
    "solve",
    "worker_pool",
]


def solve(problem: RoutingProblem, options: SolveOptions | None = None) -> Solution:
    """Solve within the time limit; with several workers, run them in parallel and keep the cheapest."""
    options = options or SolveOptions()
    if options.workers == 1:
        return _solve_once(problem, options)
    variants = portfolio(options, warm_start=problem.initial_routes is not None)
    started = time.monotonic()
    with worker_pool(len(variants)) as pool:
        results = list(pool.map(_solve_once, [problem] * len(variants), variants, [started] * len(variants)))
    return min(results, key=lambda s: (len(s.unassigned), s.objective_value))


# Held back from the time limit for reading the solution and handing it back from a worker process.
_MARGIN_S = 0.3


def _solve_once(problem: RoutingProblem, options: SolveOptions, started: float | None = None) -> Solution:
    started = time.monotonic() if started is None else started
    model = Model(problem)
    ruin = options.metaheuristic in RUIN_SEARCHES
    params = search_parameters(options, model.arc_scale if ruin else 1.0)
    # Building the model counts against the limit too.
    remaining = options.time_limit_s - (time.monotonic() - started) - _MARGIN_S
    polish_s = remaining * options.polish_share
    params.time_limit.FromMilliseconds(max(100, int((remaining - polish_s) * 1000)))
    initial = model.initial_assignment()
    if ruin:
        # These searches build their own first solution; they cannot start from an earlier plan.
        assignment = model.routing.SolveWithIteratedLocalSearch(params)
    elif initial is not None:
        assignment = model.routing.SolveFromAssignmentWithParameters(initial, params)
        left = options.time_limit_s - _MARGIN_S - polish_s - (time.monotonic() - started)
        if assignment is None and left > 0.1:
            # OR-Tools fails to restore some routes that are feasible, seen with breaks on many vehicles.
            params.time_limit.FromMilliseconds(int(left * 1000))
            assignment = model.routing.SolveWithParameters(params)
    else:
        assignment = model.routing.SolveWithParameters(params)
    if assignment is not None and polish_s >= 0.1:
        polish = search_parameters(replace(options, metaheuristic="GUIDED_LOCAL_SEARCH", polish_share=0.0))
        polish.time_limit.FromMilliseconds(int(polish_s * 1000))
        if ruin:
            leave_out_unused_operators(polish)
        # The polish starts from the best solution, so it can only keep or improve it.
        polished = model.routing.SolveFromAssignmentWithParameters(assignment, polish)
        assignment = assignment if polished is None else polished
    wall = time.monotonic() - started
    if assignment is None:
        # Every stop is droppable, so this only happens when no vehicle can leave and return in its shift.
        return model.unsolved(wall)
    return model.read(assignment, wall)
