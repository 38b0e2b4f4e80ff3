"""The one adapter to OR-Tools: builds the routing model from a RoutingProblem and reads a Solution back.

Node and index conversions stay in this module; callers only see stop and vehicle numbers.
"""

from __future__ import annotations

import functools
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_ils_pb2
from ortools.util import optional_boolean_pb2

from routing.problem import Route, RoutingProblem, ScheduledBreak, ScheduledStop, Solution

# A "must serve" stop is still droppable inside the model, at a price no real penalty reaches, so that an
# over-constrained day gives a plan with that stop reported rather than no plan at all.
MANDATORY_PENALTY = 10**12

_STATUS = {
    0: "not_solved",
    1: "success",
    2: "partial_success_local_optimum_not_reached",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}


# Ruin and recreate with SISR ruins (Christiaens & Vanden Berghe), driven by OR-Tools' iterated local search
# with simulated-annealing acceptance. RUIN_AND_RECREATE takes many cheap steps; ITERATED_LOCAL_SEARCH
# improves every recreated solution by local descent: fewer, better steps. They fail on different instances.
RUIN_AND_RECREATE = "RUIN_AND_RECREATE"
ITERATED_LOCAL_SEARCH = "ITERATED_LOCAL_SEARCH"
_RUIN_SEARCHES = (RUIN_AND_RECREATE, ITERATED_LOCAL_SEARCH)

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
        if self.metaheuristic not in _RUIN_SEARCHES and not hasattr(
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
    if warm_start and all(v.metaheuristic in _RUIN_SEARCHES for v in variants):
        # The ruin searches build their own start: one search continues from the earlier plan instead.
        variants[-1] = replace(variants[-1], metaheuristic="GUIDED_LOCAL_SEARCH", polish_share=0.0)
    return variants


def worker_context() -> multiprocessing.context.BaseContext:
    """Worker processes that are cheap to start and safe to start from a threaded web or queue process."""
    # A plain fork could copy a lock some other thread holds; the fork server is single-threaded and has
    # OR-Tools loaded already.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["routing.solver"])
    return context


def solve(problem: RoutingProblem, options: SolveOptions | None = None) -> Solution:
    """Solve within the time limit; with several workers, run them in parallel and keep the cheapest."""
    options = options or SolveOptions()
    if options.workers == 1:
        return _solve_once(problem, options)
    variants = portfolio(options, warm_start=problem.initial_routes is not None)
    started = time.monotonic()
    context = worker_context()
    with ProcessPoolExecutor(max_workers=len(variants), mp_context=context) as pool:
        results = list(pool.map(_solve_once, [problem] * len(variants), variants, [started] * len(variants)))
    return min(results, key=lambda s: (len(s.unassigned), s.objective_value))


class _Model:
    """An OR-Tools routing model for one problem, with the maps between stops, nodes and indices."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        vehicles, stops = problem.vehicles, problem.stops
        # Stops no vehicle may serve never enter the model.
        self.stop_of_node = [s for s, stop in enumerate(stops) if stop.allowed_vehicles != ()]
        self.excluded = tuple(s for s, stop in enumerate(stops) if stop.allowed_vehicles == ())
        k = len(self.stop_of_node)
        locations = [stops[s].location for s in self.stop_of_node]
        # One depot node per distinct place where vehicles start or end: a fleet sharing a depot shares one
        # node, which keeps the search's neighbourhoods free of copies of the depot.
        depot_node: dict[int, int] = {}
        for vehicle in vehicles:
            for place in (vehicle.start, vehicle.end):
                if place not in depot_node:
                    depot_node[place] = k + len(depot_node)
                    locations.append(place)
        starts = [depot_node[v.start] for v in vehicles]
        ends = [depot_node[v.end] for v in vehicles]
        self.node_location = np.asarray(locations, dtype=np.int64)
        service = np.zeros(len(locations), dtype=np.int64)
        service[:k] = [stops[s].service for s in self.stop_of_node]
        self.service = service

        self.manager = pywrapcp.RoutingIndexManager(len(locations), len(vehicles), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        grid = np.ix_(self.node_location, self.node_location)
        self.travel = problem.durations[grid]
        self.metres = problem.distances[grid]
        self.cost = self.travel if problem.objective == "time" else self.metres
        self.cost_cb = self.routing.RegisterTransitMatrix(self.cost.tolist())
        self.routing.SetArcCostEvaluatorOfAllVehicles(self.cost_cb)
        # Service happens at the origin of an arc: transit = service there + travel to the next node.
        self.time_cb = self.routing.RegisterTransitMatrix((self.travel + service[:, None]).tolist())
        self.breaks: list[list] = []
        self._time_dimension()
        self._capacity_dimension()
        self._vehicle_cost_dimension()
        self._workload_dimension()
        self._stops()
        for v, vehicle in enumerate(vehicles):
            if vehicle.fixed_cost:
                self.routing.SetFixedCostOfVehicle(vehicle.fixed_cost, v)

    @functools.cached_property
    def arc_scale(self) -> float:
        """Only the annealing searches need it; computed once, on first use."""
        return short_arc_cost(self.cost)

    def index(self, node: int) -> int:
        return self.manager.NodeToIndex(node)

    def _horizon(self) -> int:
        ends = [v.shift.end for v in self.problem.vehicles] + [s.window.end for s in self.problem.stops]
        return max([0, *ends]) + 1

    def _time_dimension(self) -> None:
        horizon = self._horizon()
        self.routing.AddDimension(self.time_cb, horizon, horizon, False, "time")
        self.time = self.routing.GetDimensionOrDie("time")
        solver = self.routing.solver()
        visit_transits = [int(self.service[self.manager.IndexToNode(i)]) for i in range(self.routing.Size())]
        for v, vehicle in enumerate(self.problem.vehicles):
            start, end = self.routing.Start(v), self.routing.End(v)
            self.time.CumulVar(start).SetRange(vehicle.shift.start, vehicle.shift.end)
            self.time.CumulVar(end).SetRange(vehicle.shift.start, vehicle.shift.end)
            # Prefer leaving late and coming back early: no idle waiting at the first customer's door.
            self.routing.AddVariableMaximizedByFinalizer(self.time.CumulVar(start))
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(end))
            intervals = [
                solver.FixedDurationIntervalVar(b.earliest, b.latest, b.duration, False, f"break {v}.{i}")
                for i, b in enumerate(vehicle.breaks)
            ]
            if intervals:
                self.time.SetBreakIntervalsOfVehicle(intervals, v, visit_transits)
                for interval in intervals:
                    self.routing.AddIntervalToAssignment(interval)
            self.breaks.append(intervals)

    def _capacity_dimension(self) -> None:
        self.load = None
        demands = [self.problem.stops[s].demand for s in self.stop_of_node]
        if not any(demands) or all(v.capacity is None for v in self.problem.vehicles):
            return
        total = sum(demands) + 1
        demand_cb = self.routing.RegisterUnaryTransitVector(
            demands + [0] * (len(self.node_location) - len(demands))
        )
        capacities = [total if v.capacity is None else v.capacity for v in self.problem.vehicles]
        self.routing.AddDimensionWithVehicleCapacity(demand_cb, 0, capacities, True, "load")
        self.load = self.routing.GetDimensionOrDie("load")

    def _vehicle_cost_dimension(self) -> None:
        extra = np.zeros((len(self.problem.vehicles), len(self.node_location)), dtype=np.int64)
        node_of_stop = {s: n for n, s in enumerate(self.stop_of_node)}
        for s, stop in enumerate(self.problem.stops):
            for v, cost in stop.vehicle_costs:
                if s in node_of_stop:
                    extra[v, node_of_stop[s]] = cost
        if not extra.any():
            return
        # Vehicles with the same extra costs share one registered vector.
        registered: dict[bytes, int] = {}
        evaluators = []
        for row in extra:
            key = row.tobytes()
            if key not in registered:
                registered[key] = self.routing.RegisterUnaryTransitVector(row.tolist())
            evaluators.append(registered[key])
        self.routing.AddDimensionWithVehicleTransits(
            evaluators, 0, int(extra.sum(axis=1).max()) + 1, True, "extra"
        )
        self.routing.GetDimensionOrDie("extra").SetSpanCostCoefficientForAllVehicles(1)

    def _workload_dimension(self) -> None:
        capped = [(v, x) for v, x in enumerate(self.problem.vehicles) if x.soft_max_work is not None]
        if not capped:
            return
        self.routing.AddDimension(self.time_cb, 0, 10 * self._horizon(), True, "work")
        work = self.routing.GetDimensionOrDie("work")
        for v, vehicle in capped:
            work.SetCumulVarSoftUpperBound(self.routing.End(v), vehicle.soft_max_work, vehicle.workload_cost)

    def _stops(self) -> None:
        for node, s in enumerate(self.stop_of_node):
            stop = self.problem.stops[s]
            index = self.index(node)
            self.time.CumulVar(index).SetRange(stop.window.start, stop.window.end)
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(index))
            penalty = MANDATORY_PENALTY if stop.drop_penalty is None else stop.drop_penalty
            self.routing.AddDisjunction([index], penalty)
            if stop.allowed_vehicles is not None:
                # OR-Tools reads an empty allowed list as "any vehicle"; such stops were excluded above.
                # The vehicle variable is restricted directly (-1: not performed) because this release's
                # Python binding of SetAllowedVehiclesForIndex rejects every Python sequence.
                self.routing.VehicleVar(index).SetValues([-1, *stop.allowed_vehicles])
            if stop.soft_due is not None and stop.lateness_cost:
                self.time.SetCumulVarSoftUpperBound(index, stop.soft_due, stop.lateness_cost)

    def initial_assignment(self) -> pywrapcp.Assignment | None:
        """The earlier plan as a starting point, if it is still consistent with this model."""
        if self.problem.initial_routes is None:
            return None
        node_of_stop = {s: n for n, s in enumerate(self.stop_of_node)}
        routes = [
            [self.index(node_of_stop[s]) for s in route if s in node_of_stop]
            for route in self.problem.initial_routes
        ]
        return self.routing.ReadAssignmentFromRoutes(routes, True)

    def read(self, assignment: pywrapcp.Assignment, wall: float) -> Solution:
        routes = []
        served: set[int] = set()
        for v in range(len(self.problem.vehicles)):
            routes.append(self._read_route(assignment, v, served))
        unassigned = tuple(sorted(set(range(len(self.problem.stops))) - served))
        status = _STATUS.get(self.routing.status(), str(self.routing.status()))
        return Solution(
            routes=tuple(routes),
            unassigned=unassigned,
            objective_value=assignment.ObjectiveValue(),
            status=status,
            wall_seconds=wall,
        )

    def _read_route(self, assignment: pywrapcp.Assignment, v: int, served: set[int]) -> Route:
        routing, time_dim = self.routing, self.time
        index = routing.Start(v)
        departure = assignment.Value(time_dim.CumulVar(index))
        prev_node = self.manager.IndexToNode(index)
        prev_end = departure
        stops, travel_s, travel_m = [], 0, 0
        index = assignment.Value(routing.NextVar(index))
        while True:
            node = self.manager.IndexToNode(index)
            travel_s += int(self.travel[prev_node, node])
            travel_m += int(self.metres[prev_node, node])
            start = assignment.Value(time_dim.CumulVar(index))
            if routing.IsEnd(index):
                arrival_back = start
                break
            s = self.stop_of_node[node]
            served.add(s)
            arrival = min(start, prev_end + int(self.travel[prev_node, node]))
            end = start + int(self.service[node])
            stops.append(ScheduledStop(stop=s, arrival=arrival, start=start, end=end))
            prev_node, prev_end = node, end
            index = assignment.Value(routing.NextVar(index))
        breaks = tuple(
            ScheduledBreak(start=assignment.StartValue(b), duration=assignment.DurationValue(b))
            for b in self.breaks[v]
            if assignment.PerformedValue(b)
        )
        return Route(
            vehicle=v,
            stops=tuple(stops),
            breaks=breaks,
            departure=departure if stops else arrival_back,
            arrival=arrival_back,
            travel_seconds=travel_s,
            travel_metres=travel_m,
        )


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
    if options.metaheuristic in _RUIN_SEARCHES:
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
        _leave_out_unused_operators(params)
    else:
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, options.metaheuristic
        )
    params.guided_local_search_lambda_coefficient = options.guided_local_search_lambda
    params.time_limit.FromMilliseconds(max(1, int(options.time_limit_s * 1000)))
    params.log_search = options.log_search
    return params


def _leave_out_unused_operators(params: pywrapcp.RoutingSearchParameters) -> None:
    operators = params.local_search_operators
    for name in _RUIN_SEARCH_UNUSED_OPERATORS:
        setattr(operators, f"use_{name}", _BOOL_FALSE)


# Held back from the time limit for reading the solution and handing it back from a worker process.
_MARGIN_S = 0.3


def _solve_once(problem: RoutingProblem, options: SolveOptions, started: float | None = None) -> Solution:
    started = time.monotonic() if started is None else started
    model = _Model(problem)
    ruin = options.metaheuristic in _RUIN_SEARCHES
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
            _leave_out_unused_operators(polish)
        # The polish starts from the best solution, so it can only keep or improve it.
        polished = model.routing.SolveFromAssignmentWithParameters(assignment, polish)
        assignment = assignment if polished is None else polished
    wall = time.monotonic() - started
    if assignment is None:
        # Every stop is droppable, so this only happens when no vehicle can leave and return in its shift.
        return Solution(
            routes=(),
            unassigned=tuple(range(len(problem.stops))),
            objective_value=0,
            status=_STATUS.get(model.routing.status(), "fail"),
            wall_seconds=wall,
        )
    return model.read(assignment, wall)
