"""The dispatcher's day as the console shows it, and the changes a dispatcher makes by hand.

A region's day is read once into a `RegionDay`: its technicians, its orders, and the engine's `DayProblem`
built from them, so that the board, the map, the reasons for unassigned orders and the check of a manual
move all see the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import (
    Order,
    PlanRun,
    Region,
    Technician,
    User,
    Visit,
)
from app.models.limits import FIRST_DAY, LAST_DAY, day_in_range
from app.services.days import BookedDay, load_day
from app.services.errors import Invalid, NotFound
from app.services.network import list_regions
from app.services.plan_runs import fail_if_abandoned
from app.services.plan_store import decode, reason_json
from app.services.records import PLANNABLE, TimedVisit, day_visit, timed_visits
from app.services.regions import find_region, local_today, visible_region_ids
from dispatch.eligibility import candidates, explain_ineligible

# An order the engine could place but no plan has placed yet.
NOT_PLANNED = "not_planned"


# One region's day, as the board shows it.
RegionDay = BookedDay


def choose_region(*, user: User, code: str | None) -> Region:
    """The region asked for, if the user dispatches it; else the user's first region."""
    scope = visible_region_ids(user)
    if code:
        region = find_region(code)
        if region is None or (scope is not None and region.id not in scope):
            raise NotFound(f"region {code!r} not found")
        return region
    first = user.regions[0] if user.regions else None
    if first is None:
        regions = list_regions(scope=scope)
        if not regions:
            raise NotFound("there is no region to show")
        first = regions[0]
    return first


def parse_day(value: str | None, region: Region) -> date:
    """The board's date, today in the region when none is given."""
    if not value:
        return local_today(region)
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid({"date": f"{value!r} is not a date (YYYY-MM-DD)"}) from exc
    if not day_in_range(day):
        raise Invalid({"date": f"must be between {FIRST_DAY} and {LAST_DAY}"})
    return day


def load_region_day(
    region: Region, day: date, *, extra_technicians: Sequence[int] = (), not_before: datetime | None = None
) -> RegionDay:
    """Read a region's day, with its technicians' visits in other regions, and the engine's problem."""
    return load_day([region], day, extra_technicians=extra_technicians, not_before=not_before)


def latest_plan(region: Region, day: date) -> PlanRun | None:
    """The newest plan run of the day that covers the region (failed if its worker is gone)."""
    runs = db.session.scalars(select(PlanRun).where(PlanRun.day == day).order_by(PlanRun.id.desc()))
    plan = next((run for run in runs if region.code in (run.region_codes or [])), None)
    if plan is not None:
        fail_if_abandoned(plan)
    return plan


def board(region_day: RegionDay) -> dict[str, Any]:
    """The day board: a row per technician with shift and lunch, the visits, and the unassigned queue."""
    rd = region_day
    unassigned = []
    plan = latest_plan(rd.region, rd.day)
    plan_reasons = _plan_reasons(plan)
    for order in rd.orders:
        visit = day_visit(order, rd.day)
        if order.status in PLANNABLE and (visit is None or visit.technician_id is None):
            unassigned.append(_unassigned_item(rd, order, visit, plan_reasons))
    # Every visit of the day that has a technician, placed or only booked, timed once for the whole day.
    here = [v for order in rd.orders for v in order.visits if v.day == rd.day]
    timed = timed_visits([*here, *rd.elsewhere])
    elsewhere = {v.id for v in rd.elsewhere}
    return {
        "region": {"code": rd.region.code, "name": rd.region.name, "time_zone": rd.region.time_zone},
        "date": rd.day.isoformat(),
        "technicians": [_technician_row(rd, t) for t in rd.technicians],
        "visits": [_visit_item(rd, t) for t in timed if t.visit.id not in elsewhere],
        # The technicians' visits in other regions, shown read-only: their day is one.
        "elsewhere": [
            {**_visit_item(rd, t), "region": t.visit.order.region.code, "elsewhere": True}
            for t in timed
            if t.visit.id in elsewhere
        ],
        "unassigned": unassigned,
        "plan": plan_status(plan),
    }


def plan_status(plan: PlanRun | None) -> dict[str, Any] | None:
    """What the console needs to follow a plan run."""
    if plan is None:
        return None
    totals = decode(plan.result).totals() if plan.result else None
    return {
        "id": plan.id,
        "status": plan.status,
        "progress": plan.progress,
        "error": plan.error,
        "published": plan.published_at is not None,
        "totals": totals,
    }


def _plan_reasons(plan: PlanRun | None) -> dict[int, list[dict[str, str]]]:
    if plan is None or plan.status != "done" or not plan.result:
        return {}
    reasons = decode(plan.result).reasons
    return {order_id: [reason_json(r) for r in why] for order_id, why in reasons.items()}


def _technician_row(rd: RegionDay, tech: Technician) -> dict[str, Any]:
    engine = rd.technician_day(tech.id)
    shift = (engine.hours or engine.shift) if engine is not None else None
    lunch = engine.breaks[0] if engine is not None and engine.breaks else None
    return {
        "id": tech.id,
        "code": tech.code,
        "name": tech.name,
        "helping": tech.primary_region_id != rd.region.id,
        "skills": [{"code": s.skill.code, "level": s.level} for s in tech.skills],
        "crew_size": tech.crew_size,
        "home": {"lat": tech.home_lat, "lon": tech.home_lon},
        "shift": None
        if shift is None
        else {"start": _iso(rd.at(shift.start)), "end": _iso(rd.at(shift.end))},
        "off_reason": engine.off_reason if engine is not None else "inactive",
        "lunch": None
        if lunch is None
        else {
            "start": _iso(rd.at(lunch.earliest)),
            "end": _iso(rd.at(lunch.latest + lunch.duration)),
            "minutes": lunch.duration // 60,
        },
    }


def _visit_item(rd: RegionDay, timed: TimedVisit) -> dict[str, Any]:
    visit, order = timed.visit, timed.visit.order
    return {
        "id": visit.id,
        "order_id": order.id,
        "technician_id": visit.technician_id,
        "start": _iso(timed.start.astimezone(rd.zone)),
        "end": _iso(timed.end.astimezone(rd.zone)),
        "placed": timed.placed,  # False: booked by the customer, drawn where the day leaves room
        "window_start": _iso(visit.window_start.astimezone(rd.zone)),
        "window_end": _iso(visit.window_end.astimezone(rd.zone)),
        "status": visit.status,
        "locked": visit.locked,
        "late": timed.start > visit.window_end,
        "sequence": visit.sequence,
        **_order_summary(order),
    }


def _unassigned_item(
    rd: RegionDay, order: Order, visit: Visit | None, plan_reasons: dict[int, list[dict[str, str]]]
) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "visit_id": visit.id if visit is not None else None,
        "visit_status": visit.status if visit is not None else None,
        "window_start": _iso(visit.window_start.astimezone(rd.zone)) if visit is not None else None,
        "window_end": _iso(visit.window_end.astimezone(rd.zone)) if visit is not None else None,
        "reasons": plan_reasons.get(order.id) or unassigned_reasons(rd, order.id),
        **_order_summary(order),
    }


def _order_summary(order: Order) -> dict[str, Any]:
    return {
        "kind": order.kind,
        "priority": order.priority,
        "order_status": order.status,
        "customer": order.customer.name,
        "address": order.site.address,
        "lat": order.site.lat,
        "lon": order.site.lon,
        "location_quality": order.location_quality,
        "duration_min": order.duration_min,
        "crew_size": order.crew_size,
        "skills": [{"code": s.skill.code, "level": s.min_level} for s in order.skills],
    }


def unassigned_reasons(rd: RegionDay, order_id: int) -> list[dict[str, str]]:
    """Why an order has no technician: the engine's rule nobody passes, or who could take it."""
    job = rd.job(order_id)
    if job is None:
        hint = "plan it on or after the day its goods arrive"
        return [{"code": "not_today", "detail": "the goods are not due by this day", "hint": hint}]
    reasons = explain_ineligible(rd.problem, job)
    if reasons:
        return [reason_json(r) for r in reasons]
    able = [c.technician.code for c in candidates(rd.problem, job)]
    shown = ", ".join(able[:5]) + (f" and {len(able) - 5} more" if len(able) > 5 else "")
    hint = "run Optimize, or drag it onto a technician"
    return [{"code": NOT_PLANNED, "detail": f"not planned yet; {shown} could take it", "hint": hint}]


def _iso(moment: datetime) -> str:
    return moment.isoformat()
