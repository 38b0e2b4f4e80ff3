"""Planning a day: requesting a run, running the optimizer in the background, and reading its result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, PlanRun, Region, Technician, User, Visit, technician_help_regions, utcnow
from app.services.errors import Invalid, NotFound
from app.services.travel import travel_provider
from dispatch import OrderStatus
from dispatch.build import OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.day import DayProblem
from dispatch.planner import DayPlan, plan_day
from dispatch.visits import TAKEN_ON
from routing.geo import Point
from routing.matrix import TravelTimeProvider
from routing.solver import SolveOptions

# Orders the optimizer may place: not yet started, and not stopped.
PLANNABLE = (
    OrderStatus.AWAITING_GOODS,
    OrderStatus.READY_TO_SCHEDULE,
    OrderStatus.SCHEDULED,
    OrderStatus.DISPATCHED,
)
# Customers who were promised no window get one of this length around the planned start.
APPOINTMENT = timedelta(hours=2)
MAX_ERROR_CHARS = 2000
ABANDONED_GRACE_S = 300


def request_plan(
    *,
    day: date,
    region_codes: Sequence[str] | None,
    time_limit_s: int,
    requested_by: User | None,
    scope: set[int] | None,
    enqueue: Callable[[int], Any],
) -> PlanRun:
    """Queue a plan of the day for the regions (all the caller may see when none are named)."""
    regions = plan_regions(region_codes, scope)
    zones = sorted({r.time_zone for r in regions})
    if len(zones) > 1:
        raise Invalid(
            {"regions": f"the regions span several time zones ({', '.join(zones)}); plan each apart"}
        )
    plan = PlanRun(
        day=day,
        region_codes=[r.code for r in regions],
        time_zone=zones[0],
        status="queued",
        progress=0,
        time_limit_s=time_limit_s,
        requested_by=requested_by,
    )
    db.session.add(plan)
    db.session.commit()
    try:
        enqueue(plan.id)
    except Exception as exc:  # the queue's server is down: say so on the run rather than leave it queued
        db.session.rollback()
        current_app.logger.exception("could not queue plan %s", plan.id)
        _finish(plan.id, status="failed", error=f"could not queue the plan: {exc}")
    db.session.refresh(plan)
    return plan


def plan_regions(codes: Sequence[str] | None, scope: set[int] | None) -> list[Region]:
    """The named regions and their sub-regions, checked against what the caller dispatches."""
    query = select(Region).where(Region.active.is_(True)).order_by(Region.code)
    if codes:
        found = list(db.session.scalars(select(Region).where(Region.code.in_(codes))))
        missing = sorted(set(codes) - {r.code for r in found})
        if missing:
            raise Invalid({"regions": f"unknown region(s): {', '.join(missing)}"})
        outside = sorted(r.code for r in found if scope is not None and r.id not in scope)
        if outside:
            raise Invalid({"regions": f"you do not dispatch region(s): {', '.join(outside)}"})
        regions = {r.id: r for r in found}
        frontier = list(found)
        while frontier:  # planning a region plans its sub-regions too
            for child in frontier.pop().children:
                if child.id not in regions:
                    regions[child.id] = child
                    frontier.append(child)
        return sorted(regions.values(), key=lambda r: r.code)
    if scope is not None:
        query = query.where(Region.id.in_(scope))
    regions = list(db.session.scalars(query))
    if not regions:
        raise Invalid({"regions": "there is no region to plan"})
    return regions


def get_plan(plan_id: int, *, scope: set[int] | None) -> PlanRun:
    """A plan run, if it covers only regions the caller dispatches."""
    plan = db.session.get(PlanRun, plan_id)
    if plan is None:
        raise NotFound(f"plan {plan_id} not found")
    if scope is not None:
        ids = set(db.session.scalars(select(Region.id).where(Region.code.in_(plan.region_codes))))
        if not ids <= scope:
            raise NotFound(f"plan {plan_id} not found")
    if plan.status == "running" and plan.started_at is not None and utcnow() > _deadline(plan):
        # Its worker died (a restart, a kill) before it could record anything; say so rather than spin.
        _finish(plan.id, status="failed", error="the run was interrupted before it finished", running=True)
        db.session.refresh(plan)
    return plan


def _deadline(plan: PlanRun) -> datetime:
    """Long past any time a live run could take: the search, several groups each given a second, travel."""
    assert plan.started_at is not None
    return plan.started_at + timedelta(seconds=3 * plan.time_limit_s + ABANDONED_GRACE_S)


def run_plan(plan_id: int, *, provider: TravelTimeProvider | None = None) -> PlanRun | None:
    """Run a queued plan to the end; a failure is stored on the run, which never stays running."""
    claimed = db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan_id, PlanRun.status == "queued")
        .values(status="running", started_at=utcnow(), progress=1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    plan = db.session.get(PlanRun, plan_id)
    if claimed.rowcount != 1:  # already run, or running elsewhere: a repeated task does nothing
        return plan
    assert plan is not None
    try:
        result = _solve(plan, provider)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("plan %s failed", plan_id)
        _finish(plan_id, status="failed", error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS])
    else:
        _finish(plan_id, status="done", result=result)
    db.session.refresh(plan)
    return plan


def _finish(
    plan_id: int,
    *,
    status: str,
    result: dict[str, Any] | None = None,
    error: str | None = None,
    running: bool = False,
) -> None:
    values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error}
    if status == "done":
        values.update(progress=100, result=result)
    query = update(PlanRun).where(PlanRun.id == plan_id)
    if running:  # only a run still marked running; one that just finished keeps its result
        query = query.where(PlanRun.status == "running")
    db.session.execute(query.values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _set_progress(plan_id: int, percent: int) -> None:
    db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan_id, PlanRun.status == "running")
        .values(progress=max(1, min(99, percent)))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _solve(plan: PlanRun, provider: TravelTimeProvider | None) -> dict[str, Any]:
    plan_id, day, time_zone, limit = plan.id, plan.day, plan.time_zone, plan.time_limit_s
    regions = list(db.session.scalars(select(Region).where(Region.code.in_(plan.region_codes))))
    region_ids = {r.id for r in regions}
    orders = _orders(region_ids, day)
    technicians = _technicians(region_ids, {v.technician_id for o in orders for v in day_visits(o, day)})
    tech_records = [technician_record(t) for t in technicians]
    order_records = [order_record(o, day) for o in orders]
    people = {t.id: {"id": t.id, "code": t.code, "name": t.name} for t in technicians}
    provider = provider or travel_provider(current_app.config, regions)
    points = day_locations(tech_records, order_records)
    matrix = provider.matrix(points, points)
    _set_progress(plan_id, 5)
    problem, origin = build_day_problem(day, time_zone, tech_records, order_records, matrix)
    day_plan = plan_day(
        problem,
        SolveOptions(time_limit_s=limit),
        processes=current_app.config.get("PLAN_PROCESSES"),
        progress=lambda done, total: _set_progress(plan_id, 5 + 94 * done // max(total, 1)),
    )
    return plan_result(problem, day_plan, origin, ZoneInfo(time_zone), people)


def day_visits(order: Order, day: date) -> list[Visit]:
    """The order's visits on the day that are still to happen or under way."""
    return [v for v in order.visits if v.day == day and v.status not in Visit.CLOSED_STATUSES]


def _orders(region_ids: set[int], day: date) -> list[Order]:
    """Open orders that could be served on the day, and everything already planned for that day."""
    open_visit = and_(Visit.order_id == Order.id, Visit.status.not_in(Visit.CLOSED_STATUSES))
    visit_that_day = exists().where(open_visit, Visit.day == day)
    visit_another_day = exists().where(open_visit, Visit.day != day)
    waiting = and_(Order.status.in_(PLANNABLE), Order.earliest_start <= day, ~visit_another_day)
    already_planned = and_(Order.status.in_([*PLANNABLE, OrderStatus.IN_PROGRESS]), visit_that_day)
    query = (
        select(Order)
        .where(Order.region_id.in_(region_ids), or_(waiting, already_planned))
        .options(selectinload(Order.visits), selectinload(Order.skills), selectinload(Order.site))
        .order_by(Order.id)
    )
    return list(db.session.scalars(query))


def _technicians(region_ids: set[int], also: set[int | None]) -> list[Technician]:
    """Active technicians who work in or may help the regions, and whoever already holds the day's visits."""
    helps = select(technician_help_regions.c.technician_id).where(
        technician_help_regions.c.region_id.in_(region_ids)
    )
    query = (
        select(Technician)
        .where(
            Technician.active.is_(True),
            or_(
                Technician.primary_region_id.in_(region_ids),
                Technician.id.in_(helps),
                Technician.id.in_({i for i in also if i is not None}),
            ),
        )
        .options(*technician_record_loads())
        .order_by(Technician.code)
    )
    return list(db.session.scalars(query))


def technician_record_loads() -> tuple:
    """Everything technician_record reads, loaded with the query rather than one row at a time."""
    return (
        selectinload(Technician.skills),
        selectinload(Technician.shifts),
        selectinload(Technician.absences),
        selectinload(Technician.help_regions),
        selectinload(Technician.primary_region),
    )


def technician_record(tech: Technician) -> TechnicianRecord:
    """What the planner needs to know about a technician."""
    return TechnicianRecord(
        id=tech.id,
        code=tech.code,
        home=Point(lat=tech.home_lat, lon=tech.home_lon),
        primary_region=tech.primary_region.code,
        help_regions=tuple(r.code for r in tech.help_regions),
        skills=tuple((s.skill.code, s.level) for s in tech.skills),
        crew_size=tech.crew_size,
        van_volume_l=tech.van_volume_l,
        shifts=tuple((s.weekday, s.start_time, s.end_time) for s in tech.shifts),
        absences=tuple((a.start_date, a.end_date, a.reason) for a in tech.absences),
        lunch_start=tech.lunch_start,
        lunch_end=tech.lunch_end,
        lunch_minutes=tech.lunch_minutes,
        time_zone=tech.primary_region.time_zone,
    )


def order_record(order: Order, day: date) -> OrderRecord:
    """What the planner needs to know about an order, with the day's visit if it has one."""
    visits = day_visits(order, day)
    visit = visits[-1] if visits else None
    taken = visit is not None and (visit.locked or visit.status in TAKEN_ON)
    return OrderRecord(
        id=order.id,
        site=Point(lat=order.site.lat, lon=order.site.lon),
        region=order.region.code,
        kind=order.kind,
        priority=order.priority,
        skills=tuple((s.skill.code, s.min_level) for s in order.skills),
        crew_size=order.crew_size,
        duration_min=order.duration_min,
        volume_l=order.volume_l,
        earliest_start=order.earliest_start,
        sla_due=order.sla_due,
        # A visit's window was given to the customer; it is kept whoever comes.
        promised=(visit.window_start, visit.window_end) if visit is not None else None,
        technician_id=visit.technician_id if visit is not None else None,
        planned_arrival=visit.planned_arrival if visit is not None else None,
        frozen=taken and visit is not None and visit.technician_id is not None,
    )


def appointment_window(start: datetime) -> tuple[datetime, datetime]:
    """Two hours around the planned start, on the quarter hour, for a customer promised no window yet."""
    early = start - APPOINTMENT / 2
    early = early.replace(minute=early.minute - early.minute % 15, second=0, microsecond=0)
    return early, early + APPOINTMENT


def plan_result(
    problem: DayProblem,
    day_plan: DayPlan,
    origin: datetime,
    tz: ZoneInfo,
    people: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    """The plan as stored and served: local times with their offset, routes in visit order."""

    def at(seconds: int) -> datetime:
        return (origin + timedelta(seconds=seconds)).astimezone(tz)

    jobs = {job.id: job for job in problem.jobs}
    routes = []
    for route in day_plan.routes:
        if not route.visits:
            continue
        visits = []
        for visit in route.visits:
            job = jobs[visit.job_id]
            window = (
                (at(job.window.start), at(job.window.end))
                if job.promised
                else appointment_window(at(visit.start))
            )
            visits.append(
                {
                    "order_id": visit.job_id,
                    "sequence": visit.sequence,
                    "arrival": at(visit.arrival).isoformat(),
                    "start": at(visit.start).isoformat(),
                    "end": at(visit.end).isoformat(),
                    "window_start": window[0].isoformat(),
                    "window_end": window[1].isoformat(),
                    "promised": job.promised,
                    "helping": visit.helping,
                }
            )
        routes.append(
            {
                "technician": people[route.technician_id],
                "departure": at(route.departure).isoformat(),
                "return": at(route.arrival).isoformat(),
                "travel_seconds": route.travel_seconds,
                "travel_metres": route.travel_metres,
                "breaks": [
                    {"start": at(start).isoformat(), "end": at(start + length).isoformat()}
                    for start, length in route.breaks
                ],
                "visits": visits,
            }
        )
    unassigned = [
        {"order_id": u.job_id, "reasons": [{"code": r.code, "detail": r.detail} for r in u.reasons]}
        for u in day_plan.unassigned
    ]
    return {
        "routes": routes,
        "unassigned": unassigned,
        "totals": {
            "travel_seconds": sum(r["travel_seconds"] for r in routes),
            "travel_metres": sum(r["travel_metres"] for r in routes),
            "assigned": sum(len(r["visits"]) for r in routes),
            "unassigned": len(unassigned),
            "technicians": len(routes),
        },
    }
