"""Planning a day: requesting a run, running the optimizer in the background, and reading its result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import PlanRun, Region, User, utcnow
from app.services.days import load_day
from app.services.errors import Invalid, NotFound, Unavailable
from app.services.plan_runs import Heartbeat, claim, fail_if_abandoned, finish, set_progress
from app.services.plan_store import TechnicianRef, encode, stored_plan
from dispatch.planner import plan_day
from routing.matrix import TravelTimeProvider
from routing.solver import SolveOptions

MAX_ERROR_CHARS = 2000


def request_plan(
    *,
    day: date,
    region_codes: Sequence[str] | None,
    time_limit_s: int,
    requested_by: User | None,
    scope: set[int] | None,
    enqueue: Callable[[int], Any],
    not_before: datetime | None = None,
) -> PlanRun:
    """Queue a plan of the day for the regions (all the caller may see when none are named)."""
    regions = plan_regions(region_codes, scope)
    zones = sorted({r.time_zone for r in regions})
    if len(zones) > 1:
        raise Invalid(
            {"regions": f"the regions span several time zones ({', '.join(zones)}); plan each apart"}
        )
    today = utcnow().astimezone(ZoneInfo(zones[0])).date()
    if day < today:
        raise Invalid({"date": f"{day} has passed (today in {zones[0]} is {today}); plan today or later"})
    if not_before is not None and not_before.astimezone(ZoneInfo(zones[0])).date() != day:
        raise Invalid({"from": f"must fall on {day} in the regions' time zone ({zones[0]})"})
    plan = PlanRun(
        not_before=not_before,
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
    _queue(plan, enqueue)
    db.session.refresh(plan)
    return plan


def _queue(plan: PlanRun, enqueue: Callable[[int], Any]) -> None:
    try:
        enqueue(plan.id)
    except Exception as exc:  # say so on the run rather than leave it queued
        db.session.rollback()
        current_app.logger.warning("could not queue plan %s: %s", plan.id, exc)
        finish(plan.id, status="failed", error=f"could not queue the plan: {exc}", from_status="queued")
        if isinstance(exc, Unavailable):  # the queue's server is down: 503, and the failed run's id
            raise Unavailable(exc.detail, extra={"plan_id": plan.id}) from exc


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
    fail_if_abandoned(plan)
    return plan


def run_plan(plan_id: int, *, provider: TravelTimeProvider | None = None) -> PlanRun | None:
    """Run a queued plan to the end, beating meanwhile; a failure is stored on the run, never left running."""
    claimed = claim(plan_id)
    plan = db.session.get(PlanRun, plan_id)
    if not claimed:  # already run, or running elsewhere: a repeated task does nothing
        return plan
    assert plan is not None
    try:
        with Heartbeat(current_app._get_current_object(), plan_id):  # type: ignore[attr-defined]
            result = _solve(plan, provider)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("plan %s failed", plan_id)
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        finish(plan_id, status="failed", error=error, from_status="running")
    else:
        if not finish(plan_id, status="done", result=result, from_status="running"):
            # Given up for lost meanwhile (its beats were late): it stays failed, and nobody publishes it.
            current_app.logger.warning("plan %s was failed as abandoned; its late result is dropped", plan_id)
    db.session.refresh(plan)
    return plan


def _solve(plan: PlanRun, provider: TravelTimeProvider | None) -> dict[str, Any]:
    plan_id, day, limit = plan.id, plan.day, plan.time_limit_s
    regions = list(db.session.scalars(select(Region).where(Region.code.in_(plan.region_codes))))
    start = plan_start(plan)
    if start is not None and plan.not_before is None:  # a day already begun: say from when it was planned
        plan.not_before = start
        db.session.commit()
    booked = load_day(regions, day, not_before=start, provider=provider)
    people = {t.id: TechnicianRef(t.id, t.code, t.name) for t in booked.technicians}
    set_progress(plan_id, 5)
    day_plan = plan_day(
        booked.problem,
        SolveOptions(time_limit_s=limit),
        processes=current_app.config.get("PLAN_PROCESSES"),
        progress=lambda done, total: set_progress(plan_id, 5 + 94 * done // max(total, 1)),
        isolated=True,  # OR-Tools holds the GIL while it searches: here, it would stop the heartbeat
    )
    return encode(stored_plan(booked.problem, day_plan, booked.origin, booked.zone, people))


def plan_start(plan: PlanRun, now: datetime | None = None) -> datetime | None:
    """The moment the plan places work from: its `from`, else now for a day already begun, else none."""
    if plan.not_before is not None:
        return plan.not_before
    now = now or utcnow()
    midnight = datetime.combine(plan.day, time(0), tzinfo=ZoneInfo(plan.time_zone))
    return now if midnight < now < midnight + timedelta(days=1) else None
