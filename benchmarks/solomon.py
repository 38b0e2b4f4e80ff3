"""Solve Solomon-format VRPTW instances through the product's own planner and compare with best-known results.

python -m benchmarks.solomon ../shared/benchmarks/solomon/*.txt --time-limit 10
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from benchmarks.instances import Instance, best_known, check_routes, gap_percent, read_instance
from dispatch.day import DayProblem, Job, PlanSettings, TechnicianDay
from dispatch.planner import DayPlan, plan_day
from routing.problem import TimeWindow
from routing.solver import SolveOptions

# Solomon's unit of distance and time becomes this many metres and seconds: integer arithmetic with
# rounding far below the published two decimals.
SCALE = 1000
REGION = "BENCH"
DEFAULT_BKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"


def day_problem(instance: Instance, objective: str) -> DayProblem:
    """Technicians at the depot with van capacity; customers as jobs with windows and service times."""
    d = instance.distances()
    # Times are rounded up so that a plan feasible in integers is feasible in real numbers.
    durations = np.ceil(d * SCALE - 1e-9).astype(np.int64)
    distances = np.rint(d * SCALE).astype(np.int64)
    depot = instance.nodes[0]
    shift = TimeWindow(depot.ready * SCALE, depot.due * SCALE)
    technicians = tuple(
        TechnicianDay(
            id=v, code=f"V{v + 1}", location=0, primary_region=REGION, shift=shift, capacity=instance.capacity
        )
        for v in range(instance.vehicles)
    )
    jobs = tuple(
        Job(
            id=c.number,
            location=c.number,
            region=REGION,
            duration=max(1, c.service * SCALE),
            window=TimeWindow(c.ready * SCALE, c.due * SCALE),
            demand=c.demand,
        )
        for c in instance.nodes[1:]
    )
    settings = PlanSettings(
        help_cost=0,
        base_drop_penalty=10**9,
        soft_max_work=None,
        objective="distance",
        # Fewest vehicles first: one vehicle costs more than any route's distance could.
        vehicle_fixed_cost=10**8 if objective == "hierarchical" else 0,
    )
    return DayProblem(
        durations=durations,
        distances=distances,
        technicians=technicians,
        jobs=jobs,
        settings=settings,
        label=instance.name,
    )


def routes_of(plan: DayPlan) -> list[list[int]]:
    """Customer numbers in visit order, one list per used vehicle."""
    return [[v.job_id for v in route.visits] for route in plan.routes if route.visits]


def run(paths: Sequence[str], *, time_limit: float, objective: str, workers: int) -> list[dict]:
    """Solve each instance and check the result independently."""
    rows = []
    for path in paths:
        instance = read_instance(path)
        started = time.monotonic()
        plan = plan_day(
            day_problem(instance, objective), SolveOptions(time_limit_s=time_limit, workers=workers)
        )
        seconds = time.monotonic() - started
        routes = routes_of(plan)
        distance, problems = check_routes(instance, routes)
        rows.append(
            {
                "instance": instance.name,
                "vehicles": len(routes),
                "distance": round(distance, 2) if not problems else math.inf,
                "seconds": round(seconds, 2),
                "routes": routes,
                "problems": problems,
            }
        )
    return rows


def print_table(rows: Sequence[dict], bks: dict[str, tuple[int, float]], out=sys.stdout) -> None:
    """One line per instance, then the mean and worst gap."""
    print(
        f"{'instance':<10}{'veh':>5}{'distance':>11}{'bks veh':>9}{'bks':>10}{'gap %':>8}{'sec':>7}  check",
        file=out,
    )
    gaps = []
    for row in rows:
        best = bks.get(row["instance"])
        gap = gap_percent(row["distance"], best[1]) if best else math.nan
        if best:
            gaps.append(gap)
        check = "ok" if not row["problems"] else "; ".join(row["problems"])[:60]
        bks_veh, bks_dist = (f"{best[0]}", f"{best[1]:.2f}") if best else ("-", "-")
        print(
            f"{row['instance']:<10}{row['vehicles']:>5}{row['distance']:>11.2f}{bks_veh:>9}{bks_dist:>10}"
            f"{gap:>8.2f}{row['seconds']:>7.1f}  {check}",
            file=out,
        )
    if gaps:
        print(
            f"mean gap {statistics.fmean(gaps):.2f} %, worst {max(gaps):.2f} %, over {len(gaps)} instances",
            file=out,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; exits non-zero if any returned plan is infeasible."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.solomon", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="Solomon-format instance files")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance (wall)")
    parser.add_argument("--objective", choices=("distance", "hierarchical"), default="distance")
    parser.add_argument(
        "--workers", type=int, default=1, help="parallel searches per instance (at least one per core)"
    )
    parser.add_argument("--bks", help="best-known CSV (default: shared min-distance or hierarchical table)")
    parser.add_argument("--json", action="store_true", help="one JSON line per instance")
    args = parser.parse_args(argv)
    rows = run(args.paths, time_limit=args.time_limit, objective=args.objective, workers=args.workers)
    if args.json:
        for row in rows:
            print(json.dumps({k: row[k] for k in ("instance", "vehicles", "distance", "seconds", "routes")}))
    else:
        default = "bks_min_distance_solomon.csv" if args.objective == "distance" else "bks.csv"
        bks_path = Path(args.bks) if args.bks else DEFAULT_BKS / default
        print_table(rows, best_known(bks_path) if bks_path.exists() else {})
    return 1 if any(row["problems"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
