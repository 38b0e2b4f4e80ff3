"""How the solver searches: the options, the portfolio of searches run side by side, and OR-Tools' search
parameters for each, the ruin-and-recreate searches tuned by measurement.

Only search parameters are set here; the routing model and its node and index conversions stay in
routing.model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_ils_pb2
from ortools.util import optional_boolean_pb2

# Ruin and recreate with SISR ruins (Christiaens & Vanden Berghe), driven by OR-Tools' iterated local search
# with simulated-annealing acceptance. RUIN_AND_RECREATE takes many cheap steps; ITERATED_LOCAL_SEARCH
# improves every recreated solution by local descent: fewer, better steps. They fail on different instances.
RUIN_AND_RECREATE = "RUIN_AND_RECREATE"
ITERATED_LOCAL_SEARCH = "ITERATED_LOCAL_SEARCH"
RUIN_SEARCHES = (RUIN_AND_RECREATE, ITERATED_LOCAL_SEARCH)

# The annealing temperature falls from the first to the second of these many times a typical short arc's cost:
# scaled to the problem, not to any one set of instances or unit of cost. Ruin and recreate without descent
# takes many small steps and anneals hotter. On all 56 Solomon instances at 10 s, alone on a core, the hotter
# schedule took its mean gap from 1.44-1.53 % to 1.22-1.26 %.
_TEMPERATURES = {RUIN_AND_RECREATE: (3.0, 0.03), ITERATED_LOCAL_SEARCH: (1.0, 0.01)}
# Ruin and recreate without descent alternates SISR with a random-walk ruin of this many stops, at random.
# On eight of the hardest Solomon instances at 10 s, five runs each, its mean gap went from 2.04 % to 1.62 %;
# RC103 stayed within 2.18-2.46 % in 25 runs, where SISR alone went above 2.9 % in 6 of 23. The search with
# descent did worse with it (1.94 %) and keeps SISR alone.
_RANDOM_WALK_REMOVED = 10
# A typical short arc: the mean cost to a stop's nearest few neighbours.
_NEAREST = 10
_BOOL_FALSE = optional_boolean_pb2.BOOL_FALSE

# Operators the ruin searches leave out of their local descent, which runs after every recreate: the insertion
# LNS operators repeat what the recreate step does; the pair, subtrip and visit-type operators have nothing to
# act on in this model; the chain and shortest-path variants of activating and deactivating stops are covered
# by the plain ones that stay. Alone on 34 Solomon instances at 10 s, the iterated search's mean gap went from
# 2.26 % to 1.75 % without them.
_RUIN_SEARCH_UNUSED_OPERATORS = (
    "global_cheapest_insertion_path_lns",
    "local_cheapest_insertion_path_lns",
    "relocate_path_global_cheapest_insertion_insert_unperformed",
    "global_cheapest_insertion_visit_types_lns",
    "local_cheapest_insertion_visit_types_lns",
    "make_chain_inactive",
    "swap_active_chain",
    "shortest_path_swap_active",
    "shortest_path_two_opt",
    "relocate_subtrip",
    "exchange_subtrip",
    "relocate_pair",
    "light_relocate_pair",
    "exchange_pair",
)


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """How hard and how to search."""

    time_limit_s: float = 10.0
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    # An OR-Tools local search metaheuristic, RUIN_AND_RECREATE or ITERATED_LOCAL_SEARCH.
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    guided_local_search_lambda: float = 0.1
    # The share of the time given at the end to guided local search from the best solution found so far.
    polish_share: float = 0.0
    # With two or more, the searches of `portfolio` run in parallel processes and the best result is kept.
    workers: int = 1
    log_search: bool = False

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if not hasattr(routing_enums_pb2.FirstSolutionStrategy, self.first_solution):
            raise ValueError(f"unknown first solution strategy {self.first_solution!r}")
        if not 0 <= self.polish_share < 1:
            raise ValueError(f"polish_share must be in [0, 1), got {self.polish_share}")
        if self.metaheuristic not in RUIN_SEARCHES and not hasattr(
            routing_enums_pb2.LocalSearchMetaheuristic, self.metaheuristic
        ):
            raise ValueError(f"unknown metaheuristic {self.metaheuristic!r}")


# The searches of the portfolio proper, best first. They run one per core: the annealing searches follow a
# cooling schedule in wall-clock time, and sharing a core left them less than half their steps.
PORTFOLIO_SEARCHES = 3

# Strategies for further workers, chosen because they build structurally different starting routes.
_ALTERNATIVE_STARTS = ("PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION", "PATH_CHEAPEST_ARC")


def portfolio(options: SolveOptions, warm_start: bool = False) -> list[SolveOptions]:
    """The searches that run side by side: they fail on different instances, so the best of them is robust."""
    one = replace(options, workers=1)
    if options.workers == 1:
        return [one]
    # Ruin and recreate (best where windows are tight), ruin and recreate with local descent (long routes),
    # each ending in guided local search from its best solution; guided local search from savings routes.
    variants = [
        replace(one, metaheuristic=RUIN_AND_RECREATE, polish_share=0.25),
        replace(one, metaheuristic=ITERATED_LOCAL_SEARCH, polish_share=0.3),
        replace(one, metaheuristic="GUIDED_LOCAL_SEARCH", first_solution="SAVINGS"),
    ][: options.workers]
    for strategy in _ALTERNATIVE_STARTS[: max(0, options.workers - PORTFOLIO_SEARCHES)]:
        variants.append(replace(one, metaheuristic="GUIDED_LOCAL_SEARCH", first_solution=strategy))
    if warm_start and all(v.metaheuristic in RUIN_SEARCHES for v in variants):
        # The ruin searches build their own start: one search continues from the earlier plan instead.
        variants[-1] = replace(variants[-1], metaheuristic="GUIDED_LOCAL_SEARCH", polish_share=0.0)
    return variants


def short_arc_cost(cost: np.ndarray) -> float:
    """The mean cost from a node to its nearest neighbours: the scale of one move's gain or loss."""
    n = len(cost)
    if n < 2:
        return 1.0
    k = min(_NEAREST, n - 1)
    off_diagonal = cost.astype(np.float64) + np.diag(np.full(n, np.inf))
    nearest = np.partition(off_diagonal, k - 1, axis=1)[:, :k]
    return max(1.0, float(nearest.mean()))


def search_parameters(options: SolveOptions, arc_scale: float = 1.0) -> pywrapcp.RoutingSearchParameters:
    """OR-Tools search parameters for the options; arc_scale sets the annealing temperatures."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, options.first_solution)
    if options.metaheuristic in RUIN_SEARCHES:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        params.use_iterated_local_search = True
        ils = params.iterated_local_search_parameters
        ils.perturbation_strategy = routing_ils_pb2.PerturbationStrategy.RUIN_AND_RECREATE
        recreate = ils.ruin_recreate_parameters
        del recreate.ruin_strategies[:]
        sisr = recreate.ruin_strategies.add().sisr
        sisr.max_removed_sequence_size = 10
        sisr.avg_num_removed_visits = 15
        sisr.bypass_factor = 0.01
        if options.metaheuristic == RUIN_AND_RECREATE:
            # About half the steps ruin a random walk through neighbouring stops instead of strings of routes.
            recreate.ruin_strategies.add().random_walk.num_removed_visits = _RANDOM_WALK_REMOVED
            recreate.ruin_composition_strategy = routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY
        recreate.recreate_strategy.heuristic = (
            routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION
        )
        ils.improve_perturbed_solution = options.metaheuristic == ITERATED_LOCAL_SEARCH
        annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
        annealing.automatic_temperatures = False
        annealing.cooling_schedule_strategy = routing_ils_pb2.CoolingScheduleStrategy.EXPONENTIAL
        start, final = _TEMPERATURES[options.metaheuristic]
        annealing.initial_temperature = start * arc_scale
        annealing.final_temperature = final * arc_scale
        leave_out_unused_operators(params)
    else:
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, options.metaheuristic
        )
    params.guided_local_search_lambda_coefficient = options.guided_local_search_lambda
    params.time_limit.FromMilliseconds(max(1, int(options.time_limit_s * 1000)))
    params.log_search = options.log_search
    return params


def leave_out_unused_operators(params: pywrapcp.RoutingSearchParameters) -> None:
    """Switch off the local search operators the ruin searches have no use for."""
    operators = params.local_search_operators
    for name in _RUIN_SEARCH_UNUSED_OPERATORS:
        setattr(operators, f"use_{name}", _BOOL_FALSE)
