"""The OR-Tools adapter: every modelled rule holds in what it returns."""

from __future__ import annotations

import numpy as np
import pytest
from ortools.constraint_solver import pywrapcp, routing_ils_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE as FALSE
from ortools.util.optional_boolean_pb2 import BOOL_TRUE as TRUE

from routing.problem import Break, RoutingProblem, Stop, TimeWindow, Vehicle
from routing.solver import (
    ITERATED_LOCAL_SEARCH,
    RUIN_AND_RECREATE,
    SolveOptions,
    portfolio,
    search_parameters,
    short_arc_cost,
    solve,
)

HOUR = 3600
FAST = SolveOptions(time_limit_s=0.5)


def line(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n places on a line, 10 minutes and 5 km apart."""
    idx = np.arange(n)
    gaps = np.abs(idx[:, None] - idx[None, :])
    return gaps * 600, gaps * 5000


def day_vehicle(**kw) -> Vehicle:
    base = dict(start=0, end=0, shift=TimeWindow(8 * HOUR, 18 * HOUR))
    base.update(kw)
    return Vehicle(**base)


def problem(vehicles, stops, n=6, **kw) -> RoutingProblem:
    seconds, metres = line(n)
    return RoutingProblem(
        durations=seconds, distances=metres, vehicles=tuple(vehicles), stops=tuple(stops), **kw
    )


def test_windows_and_travel_are_kept() -> None:
    """Each stop starts inside its window and never before the vehicle can get there."""
    stops = [
        Stop(location=i, window=TimeWindow((8 + i) * HOUR, (9 + i) * HOUR), service=1800) for i in range(1, 5)
    ]
    solution = solve(problem([day_vehicle()], stops), FAST)
    (route,) = solution.routes
    assert solution.unassigned == ()
    assert [s.stop for s in route.stops] == [0, 1, 2, 3]
    previous_end, here = route.departure, 0
    for scheduled in route.stops:
        stop = stops[scheduled.stop]
        assert scheduled.start in stop.window
        assert scheduled.start >= previous_end + 600 * abs(stop.location - here)
        assert scheduled.end == scheduled.start + stop.service
        previous_end, here = scheduled.end, stop.location
    assert route.travel_metres == 2 * 4 * 5000


def test_the_break_does_not_overlap_service() -> None:
    """A lunch break is taken within its window and between services."""
    stops = [Stop(location=1, window=TimeWindow(8 * HOUR, 18 * HOUR), service=4 * HOUR) for _ in range(2)]
    vehicle = day_vehicle(breaks=(Break(11 * HOUR, 13 * HOUR, 3600),))
    solution = solve(problem([vehicle], stops), FAST)
    (route,) = solution.routes
    assert solution.unassigned == ()
    (lunch,) = route.breaks
    assert 11 * HOUR <= lunch.start <= 13 * HOUR and lunch.duration == 3600
    for scheduled in route.stops:
        assert lunch.start + lunch.duration <= scheduled.start or lunch.start >= scheduled.end


def test_capacity_limits_the_van() -> None:
    """Three 400-litre pickups do not fit a 1000-litre van: one is left out."""
    stops = [
        Stop(location=i, window=TimeWindow(8 * HOUR, 18 * HOUR), demand=400, drop_penalty=10**6)
        for i in (1, 2, 3)
    ]
    solution = solve(problem([day_vehicle(capacity=1000)], stops), FAST)
    assert len(solution.unassigned) == 1
    assert sum(stops[s.stop].demand for s in solution.routes[0].stops) == 800


def test_allowed_vehicles_are_respected() -> None:
    """A stop allowed only on the far vehicle goes there; a stop no vehicle may serve is left out."""
    near, far = day_vehicle(start=1, end=1), day_vehicle(start=5, end=5)
    stops = [
        Stop(location=1, window=TimeWindow(8 * HOUR, 18 * HOUR), allowed_vehicles=(1,)),
        Stop(location=2, window=TimeWindow(8 * HOUR, 18 * HOUR), allowed_vehicles=(), drop_penalty=10),
    ]
    solution = solve(problem([near, far], stops), FAST)
    assert [s.stop for s in solution.routes[1].stops] == [0]
    assert solution.routes[0].stops == ()
    assert solution.unassigned == (1,)


def test_cheap_drops_are_dropped_and_mandatory_stops_kept() -> None:
    """A stop whose penalty is below its travel cost is left out; one without a penalty is served."""
    stops = [
        Stop(location=5, window=TimeWindow(8 * HOUR, 18 * HOUR), drop_penalty=10),
        Stop(location=4, window=TimeWindow(8 * HOUR, 18 * HOUR)),
    ]
    solution = solve(problem([day_vehicle()], stops), FAST)
    assert solution.unassigned == (0,)


def test_vehicle_costs_steer_the_assignment() -> None:
    """An extra cost on one vehicle sends the stop to the other, equally placed vehicle."""
    stops = [Stop(location=1, window=TimeWindow(8 * HOUR, 18 * HOUR), vehicle_costs=((0, 5000),))]
    solution = solve(problem([day_vehicle(), day_vehicle()], stops), FAST)
    assert [len(r.stops) for r in solution.routes] == [0, 1]


def test_soft_workload_cap_spreads_work() -> None:
    """With a soft cap on work, four long jobs are shared between two technicians."""
    stops = [Stop(location=1, window=TimeWindow(8 * HOUR, 18 * HOUR), service=2 * HOUR) for _ in range(4)]
    capped = [day_vehicle(soft_max_work=5 * HOUR, workload_cost=10) for _ in range(2)]
    solution = solve(problem(capped, stops), FAST)
    assert sorted(len(r.stops) for r in solution.routes) == [2, 2]


def test_warm_start_from_an_earlier_plan() -> None:
    """An initial assignment is accepted and the result serves every stop."""
    stops = [Stop(location=i, window=TimeWindow(8 * HOUR, 18 * HOUR)) for i in range(1, 5)]
    solution = solve(problem([day_vehicle(), day_vehicle()], stops, initial_routes=((0, 1), (2, 3))), FAST)
    assert solution.unassigned == ()


def test_a_warm_start_that_cannot_be_restored_starts_over(monkeypatch: pytest.MonkeyPatch) -> None:
    """When OR-Tools refuses to restore the earlier routes, the search builds its own and still plans."""
    refused = []

    def refuse(self, assignment, params):
        refused.append(assignment)

    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveFromAssignmentWithParameters", refuse)
    stops = [Stop(location=i, window=TimeWindow(8 * HOUR, 18 * HOUR)) for i in range(1, 5)]
    solution = solve(problem([day_vehicle(), day_vehicle()], stops, initial_routes=((0, 1), (2, 3))), FAST)
    assert len(refused) == 1
    assert solution.unassigned == () and solution.status != "fail"


def test_portfolio_runs_different_searches() -> None:
    """Two workers run the two ruin searches, each ending in a polish; more add searches unlike those."""
    two = portfolio(SolveOptions(workers=2))
    assert [v.metaheuristic for v in two] == [RUIN_AND_RECREATE, ITERATED_LOCAL_SEARCH]
    assert all(v.workers == 1 and v.polish_share > 0 for v in two)
    three = portfolio(SolveOptions(workers=3))
    assert [v.metaheuristic for v in three][2] == "GUIDED_LOCAL_SEARCH" and three[
        2
    ].first_solution == "SAVINGS"
    warm = portfolio(SolveOptions(workers=2), warm_start=True)
    assert [v.metaheuristic for v in warm] == [RUIN_AND_RECREATE, "GUIDED_LOCAL_SEARCH"]
    assert portfolio(SolveOptions(workers=3), warm_start=True) == three
    five = portfolio(SolveOptions(workers=5))
    assert len({(v.metaheuristic, v.first_solution) for v in five}) == 5


def test_parallel_workers_return_a_complete_solution() -> None:
    """Two searches in two processes give one solution serving every stop."""
    stops = [Stop(location=i, window=TimeWindow(8 * HOUR, 18 * HOUR)) for i in range(1, 5)]
    solution = solve(problem([day_vehicle()], stops), SolveOptions(time_limit_s=0.5, workers=2))
    assert solution.unassigned == () and solution.travel_metres == 40000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vehicles": (Vehicle(start=9, end=0, shift=TimeWindow(0, 10)),)}, "location 9"),
        ({"stops": (Stop(location=7, window=TimeWindow(0, 10)),)}, "location 7"),
        ({"stops": (Stop(location=1, window=TimeWindow(0, 10), allowed_vehicles=(3,)),)}, "vehicle 3"),
        ({"objective": "money"}, "objective"),
        ({"initial_routes": ((), ())}, "one route per vehicle"),
        ({"initial_routes": ((0,),)}, "at most once"),
    ],
)
def test_problems_are_validated(kwargs: dict, message: str) -> None:
    """Inconsistent problems fail when built, naming what is wrong."""
    seconds, metres = line(3)
    base = dict(durations=seconds, distances=metres, vehicles=(day_vehicle(),), stops=(), objective="time")
    base.update(kwargs)
    with pytest.raises(ValueError, match=message):
        RoutingProblem(**base)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"workers": 0}, "workers"),
        ({"first_solution": "MAGIC"}, "MAGIC"),
        ({"polish_share": 1.0}, "polish_share"),
        ({"polish_share": -0.1}, "polish_share"),
    ],
)
def test_options_are_validated(kwargs: dict, message: str) -> None:
    """Bad search options are refused before any search starts."""
    with pytest.raises(ValueError, match=message):
        SolveOptions(**kwargs)


@pytest.mark.parametrize(
    "options",
    [
        SolveOptions(time_limit_s=0.8, metaheuristic=RUIN_AND_RECREATE),
        SolveOptions(time_limit_s=0.8, metaheuristic=ITERATED_LOCAL_SEARCH),
        SolveOptions(time_limit_s=0.8, metaheuristic=ITERATED_LOCAL_SEARCH, polish_share=0.3),
    ],
    ids=["ruin-and-recreate", "iterated-local-search", "with-polish"],
)
def test_ruin_searches_run_on_their_own(options: SolveOptions) -> None:
    """Each ruin-and-recreate search alone serves every stop and keeps the windows."""
    stops = [Stop(location=i, window=TimeWindow((8 + i) * HOUR, (9 + i) * HOUR)) for i in range(1, 5)]
    solution = solve(problem([day_vehicle(), day_vehicle()], stops), options)
    assert solution.unassigned == ()
    for route in solution.routes:
        assert all(s.start in stops[s.stop].window for s in route.stops)


def test_short_arc_cost_is_the_mean_to_the_nearest_neighbours() -> None:
    """On a line, each place's nearest neighbour is one gap away; the diagonal never counts."""
    seconds, _ = line(3)
    # Nearest two of each: (600, 1200), (600, 600), (600, 1200) -> mean 800.
    assert short_arc_cost(seconds) == pytest.approx(800)
    assert short_arc_cost(np.zeros((1, 1), dtype=np.int64)) == 1.0


def test_annealing_temperatures_follow_the_problem_scale() -> None:
    """The same search on costs ten times larger anneals at ten times the temperature."""
    options = SolveOptions(metaheuristic=RUIN_AND_RECREATE)
    small = search_parameters(options, 100.0).iterated_local_search_parameters
    large = search_parameters(options, 1000.0).iterated_local_search_parameters
    for name in ("initial_temperature", "final_temperature"):
        a = getattr(small.reference_solution_acceptance_strategy.simulated_annealing, name)
        b = getattr(large.reference_solution_acceptance_strategy.simulated_annealing, name)
        assert b == pytest.approx(10 * a) and a > 0
    annealing = small.reference_solution_acceptance_strategy.simulated_annealing
    assert annealing.initial_temperature > annealing.final_temperature
    assert not annealing.automatic_temperatures


def test_ruin_searches_leave_out_operators_the_recreate_step_repeats() -> None:
    """Their local descent skips the insertion LNS and pair operators; other searches keep every default."""
    ruin = search_parameters(SolveOptions(metaheuristic=ITERATED_LOCAL_SEARCH)).local_search_operators
    guided = search_parameters(SolveOptions()).local_search_operators
    for name in ("use_global_cheapest_insertion_path_lns", "use_exchange_pair", "use_relocate_subtrip"):
        assert getattr(guided, name) == TRUE and getattr(ruin, name) == FALSE
    for name in ("use_relocate", "use_exchange", "use_two_opt", "use_or_opt", "use_make_active"):
        assert getattr(guided, name) == getattr(ruin, name) == TRUE


def test_only_the_search_without_descent_mixes_in_random_walk_ruins() -> None:
    """Ruin and recreate picks SISR or a random walk each step; the search with descent keeps SISR alone."""
    plain = search_parameters(SolveOptions(metaheuristic=RUIN_AND_RECREATE))
    descent = search_parameters(SolveOptions(metaheuristic=ITERATED_LOCAL_SEARCH))
    ruins = plain.iterated_local_search_parameters.ruin_recreate_parameters
    assert [r.WhichOneof("strategy") for r in ruins.ruin_strategies] == ["sisr", "random_walk"]
    assert ruins.ruin_strategies[1].random_walk.num_removed_visits > 0
    assert ruins.ruin_composition_strategy == routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY
    sisr_only = descent.iterated_local_search_parameters.ruin_recreate_parameters.ruin_strategies
    assert [r.WhichOneof("strategy") for r in sisr_only] == ["sisr"]
