"""A realistic field day planned end to end: seeded Shanghai orders and technicians through the planner.

python -m benchmarks.fieldday --orders 2000 --technicians 200 --regions 20
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from datetime import time as clock

import numpy as np

from benchmarks.dispatcher import priority_first
from dispatch.build import OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.calendar import local_instant
from dispatch.day import DAY_FULL, DayProblem
from dispatch.eligibility import candidates
from dispatch.intake import Work, combine_work, sla_due
from dispatch.plan import DayPlan
from dispatch.planner import plan_day
from dispatch.verify import plan_violations
from routing.geo import Point
from routing.matrix import GeodesicProvider
from routing.solver import SolveOptions
from seeds import DemoCity, build_demo

TIME_ZONE = "Asia/Shanghai"
SLOTS = ((8, 10), (10, 12), (13, 15), (15, 17), (17, 19))


def regions_by_clustering(points: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Split the city into `count` compact regions (k-means), as a network of that size would be drawn."""
    rng = np.random.default_rng(seed)
    centres = points[rng.choice(len(points), size=count, replace=False)]
    for _ in range(50):
        labels = np.argmin(((points[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
        moved = np.array(
            [points[labels == k].mean(axis=0) if (labels == k).any() else centres[k] for k in range(count)]
        )
        if np.allclose(moved, centres):
            break
        centres = moved
    return labels, centres


def records(city: DemoCity, day: date, regions: int, seed: int, booked_share: float):
    """Technician and order records for the day, with regions re-drawn when a region count is asked for."""
    homes = np.array([(t.home_lon, t.home_lat) for t in city.technicians])
    sites = np.array([(o.lon, o.lat) for o in city.orders])
    if regions:
        labels, centres = regions_by_clustering(np.vstack([homes, sites]), regions, seed)
        code = [f"R{k + 1:02d}" for k in range(regions)]
        home_region = [code[k] for k in labels[: len(homes)]]
        site_region = [code[k] for k in labels[len(homes) :]]
        # Technicians may help in the two regions whose centres are nearest their own.
        distance = ((centres[:, None, :] - centres[None, :, :]) ** 2).sum(-1)
        neighbours = {code[k]: tuple(code[j] for j in np.argsort(distance[k])[1:3]) for k in range(regions)}
        helping = [neighbours[home] for home in home_region]
    else:
        home_region = [t.primary_region for t in city.technicians]
        site_region = [_district(city, o) for o in city.orders]
        # Each technician keeps the may-help districts the seeds drew for them.
        helping = [t.help_regions for t in city.technicians]
    technicians = [
        TechnicianRecord(
            id=n,
            code=t.code,
            home=Point(lat=t.home_lat, lon=t.home_lon),
            primary_region=home_region[n],
            help_regions=tuple(helping[n]),
            skills=t.skills,
            crew_size=t.crew_size,
            van_volume_l=t.van_volume_l,
            shifts=tuple(
                (s.weekday, clock.fromisoformat(s.start), clock.fromisoformat(s.end)) for s in t.shifts
            ),
            absences=tuple((a.start, a.end, a.reason) for a in t.absences),
            lunch_start=clock.fromisoformat(t.lunch_start),
            lunch_end=clock.fromisoformat(t.lunch_end),
            lunch_minutes=t.lunch_minutes,
            time_zone=TIME_ZONE,
        )
        for n, t in enumerate(city.technicians)
    ]
    products = {p.sku: p for p in city.products}
    rng = random.Random(seed)
    orders = []
    for n, o in enumerate(city.orders):
        lines = []
        for sku, qty in o.items:
            work = next(w for w in products[sku].work if w.kind == o.kind)
            lines.append((Work(work.duration_min, work.crew_size, work.skills, products[sku].volume_l), qty))
        needs = combine_work(lines)
        promised = None
        if rng.random() < booked_share:
            begin, end = rng.choice(SLOTS)
            promised = (
                local_instant(day, clock(begin), TIME_ZONE),
                local_instant(day, clock(end), TIME_ZONE),
            )
        orders.append(
            OrderRecord(
                id=n,
                site=Point(lat=o.lat, lon=o.lon),
                region=site_region[n],
                kind=o.kind,
                duration_min=needs.duration_min,
                earliest_start=day,
                sla_due=sla_due(o.kind, o.priority, day - timedelta(days=rng.choice((0, 0, 0, 1, 2)))),
                priority=o.priority,
                skills=needs.skills,
                crew_size=needs.crew_size,
                volume_l=needs.volume_l,
                promised=promised,
            )
        )
    return technicians, orders


def _district(city: DemoCity, order) -> str:
    from seeds import point_in_ring

    for region in city.regions:
        if region.polygon and point_in_ring(order.lon, order.lat, region.polygon):
            return region.code
    return ""


def next_working_day(today: date) -> date:
    """A Tuesday, so that the usual Monday-to-Saturday shifts apply."""
    day = today + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, plan, verify and print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fieldday", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--technicians", type=int, default=200)
    parser.add_argument("--regions", type=int, default=20, help="0 keeps Shanghai's 16 districts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-limit", type=float, default=60.0, help="solver seconds (wall)")
    parser.add_argument("--booked", type=float, default=0.4, help="share of orders with a promised window")
    args = parser.parse_args(argv)

    day = next_working_day(date(2026, 11, 23))
    started = time.monotonic()
    city = build_demo(seed=args.seed, technicians=args.technicians, orders=args.orders, days=1, start=day)
    technicians, orders = records(city, day, args.regions, args.seed, args.booked)
    points = day_locations(technicians, orders)
    matrix = GeodesicProvider(speed_kmh=25, detour_factor=1.35).matrix(points, points)
    problem, _ = build_day_problem(day, TIME_ZONE, technicians, orders, matrix)
    built = time.monotonic()
    plan = plan_day(problem, SolveOptions(time_limit_s=args.time_limit))
    planned = time.monotonic()

    violations = plan_violations(problem, plan)
    jobs = {j.id: j for j in problem.jobs}
    eligible = {j.id for j in problem.jobs if candidates(problem, j)}
    unexplained = [
        u.job_id for u in plan.unassigned if u.job_id in eligible and u.reasons[0].code != DAY_FULL
    ]
    reasons = Counter(u.reasons[0].code for u in plan.unassigned)
    km = plan.travel_metres / 1000
    working = sum(1 for t in problem.technicians if t.shift is not None)
    visits_per_tech = [len(r.visits) for r in plan.routes if r.visits]

    rows = [
        ("day", f"{day} (Tuesday), {args.regions or 16} regions, seed {args.seed}"),
        ("orders / technicians working", f"{len(jobs)} / {working} of {len(technicians)}"),
        ("build (data, matrix, problem)", f"{built - started:.1f} s"),
        (
            "plan wall time",
            f"{planned - built:.1f} s (solver limit {args.time_limit:.0f} s, {plan.groups} groups)",
        ),
        ("assigned", f"{plan.assigned} ({100 * plan.assigned / len(jobs):.1f} %)"),
        (
            "assigned of orders with an eligible technician",
            f"{100 * plan.assigned / max(1, len(eligible)):.1f} %",
        ),
        (
            "travel per assigned order",
            f"{km / max(1, plan.assigned):.2f} km, "
            f"{plan.travel_seconds / 60 / max(1, plan.assigned):.1f} min",
        ),
        (
            "visits per busy technician",
            f"mean {statistics.fmean(visits_per_tech):.1f}, max {max(visits_per_tech)}"
            if visits_per_tech
            else "-",
        ),
        ("rule violations (independent check)", str(len(violations))),
        ("eligible but not day_full", str(len(unexplained))),
    ]
    rows += [(f"unassigned: {code}", str(count)) for code, count in sorted(reasons.items())]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    for line in violations[:5]:
        print("  violation:", line)
    baseline = priority_first(problem)
    baseline_violations = plan_violations(problem, baseline)
    print()
    print_comparison(problem, eligible, {"planner": plan, "priority-first dispatcher": baseline})
    for line in baseline_violations[:5]:
        print("  dispatcher violation:", line)
    return 1 if violations or unexplained or baseline_violations else 0


def served(problem: DayProblem, plan: DayPlan, eligible: set[int]) -> dict[str, str]:
    """What a plan serves of what is owed (urgent, high, booked windows), and at what travel and work."""
    done = {v.job_id for r in plan.routes for v in r.visits}
    jobs = problem.jobs

    def share(kind) -> str:
        owed = [j.id for j in jobs if kind(j)]
        return f"{len(done.intersection(owed))} / {len(owed)}"

    return {
        "urgent served": share(lambda j: j.priority == "urgent"),
        "high served": share(lambda j: j.priority == "high"),
        "booked windows kept": share(lambda j: j.promised),
        "booked windows kept, of those eligible": share(lambda j: j.promised and j.id in eligible),
        "assigned": str(plan.assigned),
        "travel per job": f"{plan.travel_metres / 1000 / max(1, plan.assigned):.2f} km, "
        f"{plan.travel_seconds / 60 / max(1, plan.assigned):.1f} min",
        "service hours": f"{sum(j.duration for j in jobs if j.id in done) / 3600:.1f}",
    }


def print_comparison(problem: DayProblem, eligible: set[int], plans: dict[str, DayPlan]) -> None:
    """The plans side by side, one column each."""
    columns = {name: served(problem, plan, eligible) for name, plan in plans.items()}
    rows = next(iter(columns.values())).keys()
    width = max(len(r) for r in rows)
    print(f"{'':<{width}}  " + "  ".join(f"{name:>26}" for name in columns))
    for row in rows:
        print(f"{row:<{width}}  " + "  ".join(f"{values[row]:>26}" for values in columns.values()))


if __name__ == "__main__":
    raise SystemExit(main())
