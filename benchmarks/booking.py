"""Customer booking under load: slot queries over a busy region, and concurrent bookings on PostgreSQL.

python -m benchmarks.booking [--technicians 50] [--visits 500] [--queries 40] [--clients 20] [--bookings 100]

A temporary PostgreSQL database is created (BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/
postgres names the server) and dropped afterwards. One region gets the technicians and the booked visits
spread over the next 14 days; then the slot query for 14 days is timed through the HTTP API, and `--clients`
threads book `--bookings` new orders at once, retrying with the alternatives a 409 offers. Afterwards every
technician's day is checked again with the pure insertion check: no day may hold more than it can serve.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import (
    Customer,
    Order,
    Product,
    ProductWork,
    ProductWorkSkill,
    Region,
    ShiftPattern,
    Site,
    Skill,
    Technician,
    TechnicianSkill,
    Visit,
)
from app.services.booked_days import DayTeam
from app.services.booking_links import booking_token
from benchmarks.postgres import temporary_database
from dispatch.slots import route_timing

ZONE = "Asia/Shanghai"
BOX = (121.40, 31.15, 121.50, 31.25)  # lon, lat corners: about 10 by 11 km
TEMPLATES = ((8, 10), (10, 12), (13, 15), (15, 17), (17, 19))


def main() -> None:
    """Build the region, time the queries, race the bookings, verify and print the table."""
    args = _arguments()
    with temporary_database() as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.clients + 5, "max_overflow": 10},
                "SECRET_KEY": "benchmark",
                "HUEY_IMMEDIATE": True,
            }
        )
        with app.app_context():
            upgrade()
            rows = run(app, args)
            db.session.remove()
            db.engine.dispose()
    width = max(len(key) for key, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--technicians", type=int, default=50)
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--bookings", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def run(app: Flask, args: argparse.Namespace) -> list[tuple[str, str]]:
    """Everything after the schema exists; returns the table's rows."""
    rng = random.Random(args.seed)
    started = time.perf_counter()
    region, product = _region(rng, args.technicians)
    _booked_visits(rng, region, product, args.visits)
    tokens = [booking_token(_order(rng, region, product, f"NEW-{n}")) for n in range(args.bookings + 1)]
    db.session.commit()
    setup = time.perf_counter() - started

    client = app.test_client()
    query = tokens.pop()
    cold = _timed(lambda: client.get(f"/api/booking/v1/{query}/slots"))
    timings = [_timed(lambda: client.get(f"/api/booking/v1/{query}/slots")) for _ in range(args.queries)]
    offered = len(client.get(f"/api/booking/v1/{query}/slots").get_json()["slots"])

    outcome, seconds = _race(app, tokens, args.clients)
    over = _overbooked(region)
    p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
    return [
        ("region", f"{args.technicians} technicians, {args.visits} booked visits over 14 days"),
        ("set-up", f"{setup:.1f} s"),
        ("slot query, 14 days (cold)", f"{cold * 1000:.0f} ms"),
        ("slot query p50", f"{p50 * 1000:.1f} ms"),
        ("slot query p95", f"{p95 * 1000:.1f} ms  (target <= 100 ms)"),
        ("slots offered", str(offered)),
        ("bookings", f"{args.bookings} orders by {args.clients} concurrent clients"),
        ("booked (201)", str(outcome[201])),
        ("refused (409), retried", str(outcome[409])),
        ("gave up (no slot left)", str(outcome["none"])),
        ("throughput", f"{outcome[201] / seconds:.1f} bookings/s over {seconds:.1f} s"),
        ("technician-days over capacity", str(over)),
    ]


def _timed(call: Any) -> float:
    begin = time.perf_counter()
    response = call()
    assert response.status_code == 200, response.get_json()
    return time.perf_counter() - begin


def _region(rng: random.Random, technicians: int) -> tuple[Region, Product]:
    west, south, east, north = BOX
    ring = [[west, south], [east, south], [east, north], [west, north]]
    region = Region(code="BENCH", name="Benchmark", time_zone=ZONE, polygon=ring)
    skill = Skill(code="furniture_assembly", name="Furniture assembly")
    product = Product(sku="SOFA", name="Sofa", category="furniture", volume_l=500)
    product.work.append(
        ProductWork(
            kind="install", duration_min=60, crew_size=1, skills=[ProductWorkSkill(skill=skill, min_level=1)]
        )
    )
    db.session.add_all([region, skill, product])
    for n in range(technicians):
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        db.session.add(
            Technician(
                code=f"B{n:03d}",
                name=f"Technician {n}",
                phone="+8613800000000",
                home_lat=lat,
                home_lon=lon,
                primary_region=region,
                crew_size=1,
                skills=[TechnicianSkill(skill=skill, level=2)],
                shifts=[
                    ShiftPattern(weekday=d, start_time=clock(8), end_time=clock(19, 30)) for d in range(7)
                ],
            )
        )
    db.session.flush()
    return region, product


def _order(rng: random.Random, region: Region, product: Product, ref: str) -> Order:
    west, south, east, north = BOX
    customer = Customer(name=f"Customer {ref}", phone=f"+86138{rng.randrange(10**8):08d}-{ref}"[:32])
    site = Site(
        customer=customer,
        address=f"{ref} Benchmark Road",
        lat=rng.uniform(south, north),
        lon=rng.uniform(west, east),
        region=region,
    )
    today = datetime.now(ZoneInfo(ZONE)).date()
    order = Order(
        channel="bench",
        external_ref=ref,
        kind="install",
        status="ready_to_schedule",
        customer=customer,
        site=site,
        region=region,
        earliest_start=today,
        sla_due=today + timedelta(days=14),
        duration_min=60,
        crew_size=1,
        booking_key=uuid.uuid4().hex[:16],
    )
    order.items = []
    db.session.add(order)
    db.session.flush()
    return order


def _booked_visits(rng: random.Random, region: Region, product: Product, count: int) -> None:
    """Visits over the next 14 days, at most one per technician and template, as bookings leave them."""
    techs = list(db.session.scalars(select(Technician.id)))
    tz = ZoneInfo(ZONE)
    first = datetime.now(tz).date() + timedelta(days=1)
    free = [
        (first + timedelta(days=d), t, w) for d in range(14) for t in techs for w in range(len(TEMPLATES))
    ]
    for n, (day, tech, window) in enumerate(rng.sample(free, count)):
        order = _order(rng, region, product, f"OLD-{n}")
        order.status = "scheduled"
        begin, end = TEMPLATES[window]
        db.session.add(
            Visit(
                order=order,
                technician_id=tech,
                day=day,
                window_start=datetime.combine(day, clock(begin), tzinfo=tz),
                window_end=datetime.combine(day, clock(end), tzinfo=tz),
                status="booked",
            )
        )
    db.session.flush()


def _race(app: Flask, tokens: list[str], clients: int) -> tuple[Counter, float]:
    """`clients` threads share out the tokens; each books its best slot, then the 409's alternatives."""
    outcome: Counter = Counter()
    lock = threading.Lock()
    queues = [tokens[n::clients] for n in range(clients)]
    barrier = threading.Barrier(clients)

    def customer(mine: list[str]) -> None:
        client = app.test_client()
        barrier.wait()
        for token in mine:
            slots = client.get(f"/api/booking/v1/{token}/slots").get_json()["slots"]
            for _attempt in range(3):
                if not slots:
                    with lock:
                        outcome["none"] += 1
                    break
                response = client.post(
                    f"/api/booking/v1/{token}/appointment", json={"start": slots[0]["start"]}
                )
                with lock:
                    outcome[response.status_code] += 1
                if response.status_code != 409:
                    break
                slots = response.get_json()["slots"]

    threads = [threading.Thread(target=customer, args=(queue,)) for queue in queues]
    begin = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome, time.perf_counter() - begin


def _overbooked(region: Region) -> int:
    """Technician-days whose booked visits can no longer all be served in their promised windows."""
    db.session.remove()
    region = db.session.get(Region, region.id)
    days = sorted(set(db.session.scalars(select(Visit.day).where(Visit.status == "booked"))))
    team = DayTeam.load(region)
    probe = db.session.scalar(select(Order).where(Order.status == "ready_to_schedule"))
    if probe is None:  # every order was booked; any one stands in as the order asking
        probe = db.session.scalar(select(Order))
    over = 0
    for state, _job, _origin in team.day_states(probe, days).values():
        over += len(state.unplaced)
        for tech_state in state.technicians:
            if (
                tech_state.jobs
                and route_timing(tech_state.technician, tech_state.jobs, state.durations) is None
            ):
                over += 1
    return over


if __name__ == "__main__":
    main()
