"""Phones under load: visit status events through gunicorn and PostgreSQL, against a bare endpoint.

python -m benchmarks.mobile_load --events 2000 --concurrency 8 --workers 2 --seconds 20

Creates a temporary PostgreSQL database (BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres
as the admin connection), migrates and seeds it with technicians and dispatched visits, starts gunicorn on
127.0.0.1, and drives accept/depart/arrive/start cycles with unique Idempotency-Keys from threads on loopback.
The same threads then call GET /api/mobile/v1/ping, which touches no database, as many times. Both phases stop
at their request count or after --seconds, whichever comes first. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

from benchmarks.postgres import temporary_database

ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "bench-pw-mobile-load"
HASH_METHOD = "pbkdf2:sha256:1000"  # logins are not what is measured
CYCLE = ("accept", "depart", "arrive", "start")


@dataclass
class Phase:
    """Latencies and errors of one kind of request."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: Counter[int] = field(default_factory=Counter)  # by HTTP status
    seconds: float = 0.0

    def row(self) -> tuple[str, int, float, float, float, int]:
        """name, requests, requests per second, p50 ms, p95 ms, errors."""
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else 0.0
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000 if ordered else 0.0
        rate = len(ordered) / self.seconds if self.seconds else 0.0
        return (self.name, len(ordered), rate, p50, p95, sum(self.errors.values()))


def seed(url: str, *, technicians: int, visits: int) -> list[tuple[str, list[int]]]:
    """Migrate, then write technicians with logins and their dispatched visits; returns (login, visit ids)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.models import Customer, Order, Region, Site, Technician, Visit
    from app.services.users import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": HASH_METHOD})
    with app.app_context():
        upgrade()
        region = Region(code="BENCH", name="Bench", time_zone="Asia/Shanghai")
        techs = [
            Technician(
                code=f"B{n:03d}",
                name=f"Tech {n}",
                phone="+8613800000000",
                home_lat=31.2,
                home_lon=121.45,
                primary_region=region,
            )
            for n in range(technicians)
        ]
        db.session.add_all([region, *techs])
        day = datetime.now(ZONE).date()
        for n in range(visits):
            customer = Customer(name=f"Customer {n}", phone=f"+86139{n:08d}")
            site = Site(
                customer=customer,
                address=f"No. {n}, Bench Road",
                lat=31.19 + n % 50 / 1000,
                lon=121.44,
                region=region,
            )
            order = Order(
                channel="bench",
                external_ref=f"B-{n}",
                kind="install",
                status="dispatched",
                customer=customer,
                site=site,
                region=region,
                earliest_start=day,
                sla_due=day + timedelta(days=3),
                duration_min=60,
                booking_key=uuid.uuid4().hex[:16],
            )
            start = datetime.combine(day, clock(9), ZONE) + timedelta(minutes=10 * (n // technicians))
            db.session.add(
                Visit(
                    order=order,
                    technician=techs[n % technicians],
                    day=day,
                    window_start=start,
                    window_end=start + timedelta(hours=2),
                    planned_arrival=start,
                    sequence=n // technicians,
                    status="dispatched",
                )
            )
        db.session.commit()
        plan: list[tuple[str, list[int]]] = []
        for tech in techs:
            create_user(login=tech.code, password=PASSWORD, role="technician", technician_code=tech.code)
            ids = db.session.scalars(
                db.select(Visit.id).where(Visit.technician_id == tech.id).order_by(Visit.id)
            )
            plan.append((tech.code, list(ids)))
        db.engine.dispose()
    return plan


def free_port() -> int:
    """A port nobody listens on, for this run's server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(url: str, *, workers: int, threads: int) -> Iterator[int]:
    """The app under gunicorn on loopback, stopped however the run ends."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FIELDOPS_PASSWORD_HASH_METHOD": HASH_METHOD,
        "FIELDOPS_HUEY_IN_PROCESS": "false",  # no planning here; keep the workers to the requests
        "FIELDOPS_LOGIN_RATE_LIMIT": "10000/minute",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "app:create_app()",
    ]
    server = subprocess.Popen(command, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = request(
                    http.client.HTTPConnection("127.0.0.1", port, timeout=5), "GET", "/api/mobile/v1/ping"
                )
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn did not come up")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: object = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """One request on a kept-alive connection."""
    payload = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})})
    response = conn.getresponse()
    return response.status, response.read()


def login(port: int, user: str) -> str:
    """A bearer token for a technician."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, data = request(conn, "POST", "/api/v1/auth/tokens", {"login": user, "password": PASSWORD})
    conn.close()
    if status != 201:
        raise RuntimeError(f"login {user} failed: {status} {data[:200]!r}")
    return json.loads(data)["token"]


Job = Callable[[http.client.HTTPConnection], int]


def drive(port: int, phase: Phase, lanes: list[list[Job]], *, seconds: float) -> None:
    """Run each lane's jobs in order on a thread and connection of its own, until done or out of time."""
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(jobs: list[Job]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for job in jobs:
            if time.monotonic() >= deadline:
                break
            started = time.perf_counter()
            status = job(conn)
            elapsed = time.perf_counter() - started
            with lock:
                phase.latencies.append(elapsed)
                if status >= 400:
                    phase.errors[status] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(lane,)) for lane in lanes]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started


def event_lanes(port: int, plan: list[tuple[str, list[int]]], count: int, lanes: int) -> list[list[Job]]:
    """Technicians shared out over the lanes, like phones: each one's visits through the cycle, in order."""
    steps_by_tech = []
    for login_name, visit_ids in plan:
        headers = {"Authorization": f"Bearer {login(port, login_name)}"}
        steps_by_tech.append([(visit_id, kind, headers) for visit_id in visit_ids for kind in CYCLE])
    per_lane = -(-count // lanes)
    result = []
    for lane in range(lanes):
        mine = steps_by_tech[lane::lanes]
        interleaved = [step for round_ in zip(*mine, strict=False) for step in round_]
        result.append([_event_job(*step) for step in interleaved[:per_lane]])
    return result


def _event_job(visit_id: int, kind: str, headers: dict[str, str]) -> Job:
    def run(conn: http.client.HTTPConnection) -> int:
        body: dict[str, object] = {"type": kind, "at": datetime.now(UTC).isoformat()}
        if kind == "depart":
            body.update(lat=31.23, lon=121.47)
        key = {"Idempotency-Key": uuid.uuid4().hex}
        return request(conn, "POST", f"/api/mobile/v1/visits/{visit_id}/events", body, {**headers, **key})[0]

    return run


def ping_lanes(count: int, lanes: int) -> list[list[Job]]:
    """The bare endpoint, as many times, over as many lanes."""

    def run(conn: http.client.HTTPConnection) -> int:
        return request(conn, "GET", "/api/mobile/v1/ping")[0]

    return [[run] * -(-count // lanes) for _ in range(lanes)]


def main(argv: list[str] | None = None) -> None:
    """Seed, serve, load, and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000, help="status events to send (and pings)")
    parser.add_argument("--technicians", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (phones at once)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per phase")
    args = parser.parse_args(argv)

    visits = -(-args.events // len(CYCLE))
    with temporary_database() as url:
        started = time.perf_counter()
        plan = seed(url, technicians=args.technicians, visits=visits)
        took = time.perf_counter() - started
        print(f"seeded {visits} visits for {args.technicians} technicians in {took:.1f} s")
        with gunicorn(url, workers=args.workers, threads=args.threads) as port:
            events = Phase("visit events")
            drive(port, events, event_lanes(port, plan, args.events, args.concurrency), seconds=args.seconds)
            pings = Phase("bare ping")
            drive(port, pings, ping_lanes(args.events, args.concurrency), seconds=args.seconds)
    print(f"\ngunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} client threads")
    print(f"{'':14} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
    rows = [events.row(), pings.row()]
    for name, count, rate, p50, p95, errors in rows:
        print(f"{name:14} {count:9d} {rate:9.1f} {p50:8.1f} {p95:8.1f} {errors:7d}")
    for phase in (events, pings):
        if phase.errors:
            print(f"{phase.name} errors by status: {dict(phase.errors)}")
    (_, _, e_rate, e50, e95, _), (_, _, p_rate, p50, p95, _) = rows
    if e_rate and p50 and p95:
        print(
            f"ratio: the bare endpoint serves {p_rate / e_rate:.1f}x the requests per second; "
            f"an event takes {e50 / p50:.1f}x (p50) and {e95 / p95:.1f}x (p95) as long"
        )


if __name__ == "__main__":
    main()
