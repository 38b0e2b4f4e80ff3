"""The same Solomon-format instances solved by this planner, PyVRP and VROOM in one run, in one table.

    pip install -e '.[compare]'
    python -m benchmarks.compare ../shared/benchmarks/solomon/*.txt --time-limit 10

PyVRP and VROOM are optional: a solver that is not installed is shown as missing, not as a failure.
Every solver gets the same integer matrices (distance x 1000, times rounded up) and the same wall-clock
limit, and every solution is re-checked in floating point.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np

from benchmarks.instances import Instance, best_known, check_routes, gap_percent, read_instance
from benchmarks.solomon import DEFAULT_BKS, SCALE, day_problem, routes_of
from dispatch.planner import plan_day
from routing.solver import SolveOptions

Solver = Callable[[Instance, float], list[list[int]]]


def _matrices(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    d = instance.distances()
    return np.rint(d * SCALE).astype(np.int64), np.ceil(d * SCALE - 1e-9).astype(np.int64)


def solve_here(instance: Instance, seconds: float) -> list[list[int]]:
    """This product's planner, exactly as `benchmarks.solomon` runs it."""
    plan = plan_day(day_problem(instance, "distance"), SolveOptions(time_limit_s=seconds))
    return routes_of(plan)


def solve_pyvrp(instance: Instance, seconds: float) -> list[list[int]]:
    """PyVRP's iterated local search with its default parameters."""
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    distances, durations = _matrices(instance)
    depot_node = instance.nodes[0]
    model = Model()
    locations = [model.add_location(x=c.x, y=c.y) for c in instance.nodes]
    depot = model.add_depot(locations[0], tw_early=depot_node.ready * SCALE, tw_late=depot_node.due * SCALE)
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=instance.capacity,
        start_depot=depot,
        end_depot=depot,
        tw_early=depot_node.ready * SCALE,
        tw_late=depot_node.due * SCALE,
    )
    for c in instance.nodes[1:]:
        model.add_client(
            locations[c.number],
            delivery=c.demand,
            service_duration=c.service * SCALE,
            tw_early=c.ready * SCALE,
            tw_late=c.due * SCALE,
        )
    for i, frm in enumerate(locations):
        for j, to in enumerate(locations):
            if i != j:
                model.add_edge(frm, to, distance=int(distances[i, j]), duration=int(durations[i, j]))
    result = model.solve(stop=MaxRuntime(seconds), display=False)
    # Client activities are numbered from 0 among the clients; customer numbers start at 1.
    return [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]


def solve_vroom(instance: Instance, seconds: float) -> list[list[int]]:
    """VROOM at its highest exploration level, on both cores, with the same time limit."""
    import vroom

    distances, durations = _matrices(instance)
    depot = instance.nodes[0]
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=durations.tolist())
    problem.set_distances_matrix(profile="car", matrix_input=distances.tolist())
    problem.set_costs_matrix(profile="car", matrix_input=distances.tolist())
    for v in range(instance.vehicles):
        problem.add_vehicle(
            vroom.Vehicle(
                id=v,
                start=0,
                end=0,
                capacity=[instance.capacity],
                time_window=vroom.TimeWindow(depot.ready * SCALE, depot.due * SCALE),
            )
        )
    for c in instance.nodes[1:]:
        problem.add_job(
            vroom.Job(
                id=c.number,
                location=c.number,
                default_service=c.service * SCALE,
                delivery=vroom.Amount([c.demand]),
                time_windows=[vroom.TimeWindow(c.ready * SCALE, c.due * SCALE)],
            )
        )
    solution = problem.solve(exploration_level=5, nb_threads=2, timeout=timedelta(seconds=seconds))
    routes: dict[int, list[int]] = {}
    for row in solution.routes.itertuples():
        if row.type == "job":
            routes.setdefault(int(row.vehicle_id), []).append(int(row.id))
    return list(routes.values())


SOLVERS: dict[str, Solver] = {"fieldops": solve_here, "pyvrp": solve_pyvrp, "vroom": solve_vroom}


def main(argv: Sequence[str] | None = None) -> int:
    """Run every available solver on every instance and print one table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--solvers", default=",".join(SOLVERS))
    parser.add_argument("--bks", default=str(DEFAULT_BKS / "bks_min_distance_solomon.csv"))
    args = parser.parse_args(argv)
    names = [n for n in args.solvers.split(",") if n]
    bks = best_known(args.bks) if Path(args.bks).exists() else {}
    header = f"{'instance':<10}{'bks':>10}" + "".join(f"{n + ' dist':>16}{'gap %':>8}{'s':>6}" for n in names)
    print(header)
    gaps: dict[str, list[float]] = {n: [] for n in names}
    for path in args.paths:
        instance = read_instance(path)
        best = bks.get(instance.name, (0, math.nan))[1]
        cells = f"{instance.name:<10}{best:>10.2f}"
        for name in names:
            try:
                started = time.monotonic()
                routes = SOLVERS[name](instance, args.time_limit)
                seconds = time.monotonic() - started
            except ImportError:
                cells += f"{'not installed':>16}{'':>8}{'':>6}"
                continue
            distance, problems = check_routes(instance, routes)
            if problems:
                cells += f"{'infeasible':>16}{'':>8}{seconds:>6.1f}"
                continue
            gap = gap_percent(distance, best)
            gaps[name].append(gap)
            cells += f"{distance:>16.2f}{gap:>8.2f}{seconds:>6.1f}"
        print(cells, flush=True)
    summary = f"{'mean':<10}{'':>10}"
    for name in names:
        mean = statistics.fmean(gaps[name]) if gaps[name] else math.nan
        summary += f"{'':>16}{mean:>8.2f}{'':>6}"
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
