"""What publishing a plan would change: moved, new and left-out visits, technician by technician."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from app.models import PlanRun, Visit
from app.services.console import RegionDay
from app.services.plan_store import StoredPlan, StoredVisit, TechnicianRef, decode, reason_json
from app.services.records import day_visit

# A visit whose start moves by less than this is shown as unchanged.
SAME_TIME = timedelta(minutes=5)


def review_plan(plan: PlanRun, rd: RegionDay) -> dict[str, Any]:
    """The plan against the region's current schedule, order by order and technician by technician."""
    stored = decode(plan.result or {})
    # Only what the plan is about: visits under way or done before it began are not its to change.
    scope = set(stored.assigned) | set(stored.reasons)
    current = {
        o.id: v
        for o in rd.orders
        if o.id in scope and (v := day_visit(o, rd.day)) is not None and v.technician_id and v.planned_arrival
    }
    names = {t.id: t.code for t in rd.technicians} | {t.id: t.code for t, _ in stored.assigned.values()}
    customers = {o.id: o.customer.name for o in rd.orders}
    moved, assigned, unchanged = _placed(rd, stored, current, names, customers)
    unassigned = [
        {
            "order_id": u.order_id,
            "customer": customers.get(u.order_id, ""),
            "was_assigned_to": _holder(current, names, u.order_id),
            "reasons": [reason_json(r) for r in u.reasons],
        }
        for u in stored.unassigned
    ]
    return {
        "moved": moved,
        "assigned": assigned,
        "unchanged": unchanged,
        "unassigned": unassigned,
        "technicians": technician_changes(stored, current, names),
        "before": schedule_totals(rd, current),
        "after": _plan_totals(stored),
    }


def _placed(
    rd: RegionDay,
    stored: StoredPlan,
    current: dict[int, Visit],
    names: dict[int, str],
    customers: dict[int, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    """The plan's visits: moved from where they are now, newly assigned, and how many stay as they are."""
    moved, assigned, unchanged = [], [], 0
    for order_id, (tech, stop) in stored.assigned.items():
        entry = _entry(order_id, customers.get(order_id, ""), tech, stop)
        now = current.get(order_id)
        if now is None:
            assigned.append(entry)
        elif now.technician_id != tech.id or abs(_start(now) - stop.start) >= SAME_TIME:
            entry["from_technician"] = names.get(now.technician_id or 0, str(now.technician_id))
            entry["from_start"] = _start(now).astimezone(rd.zone).isoformat()
            moved.append(entry)
        else:
            unchanged += 1
    return moved, assigned, unchanged


def _holder(current: dict[int, Visit], names: dict[int, str], order_id: int) -> str | None:
    visit = current.get(order_id)
    return None if visit is None else names.get(visit.technician_id or 0)


def _entry(order_id: int, customer: str, tech: TechnicianRef, stop: StoredVisit) -> dict[str, Any]:
    return {
        "order_id": order_id,
        "customer": customer,
        "technician": tech.code,
        "start": stop.start.isoformat(),
        "window_start": stop.window_start.isoformat(),
        "window_end": stop.window_end.isoformat(),
    }


def technician_changes(
    stored: StoredPlan, current: dict[int, Visit], names: dict[int, str]
) -> list[dict[str, Any]]:
    """Per technician whose day would change: the orders they gain, lose or keep at another time."""
    before: dict[int, dict[int, datetime]] = {}
    for order_id, visit in current.items():
        before.setdefault(visit.technician_id or 0, {})[order_id] = _start(visit)
    after: dict[int, dict[int, datetime]] = {}
    for order_id, (tech, stop) in stored.assigned.items():
        after.setdefault(tech.id, {})[order_id] = stop.start
    changes = []
    for tech_id in sorted(set(before) | set(after), key=lambda t: names.get(t, "")):
        was, will = before.get(tech_id, {}), after.get(tech_id, {})
        retimed = [o for o in set(was) & set(will) if abs(was[o] - will[o]) >= SAME_TIME]
        if set(was) == set(will) and not retimed:
            continue
        changes.append(
            {
                "technician": names.get(tech_id, str(tech_id)),
                "visits_before": len(was),
                "visits_after": len(will),
                "added": sorted(set(will) - set(was)),
                "removed": sorted(set(was) - set(will)),
                "retimed": sorted(retimed),
            }
        )
    return changes


def _start(visit: Visit) -> datetime:
    assert visit.planned_arrival is not None
    return visit.planned_arrival


def schedule_totals(rd: RegionDay, current: dict[int, Visit]) -> dict[str, int]:
    """Travel, visits assigned and lateness of the schedule as it stands."""
    routes: dict[int, list[tuple[datetime, int]]] = {}
    late_visits, late_seconds = 0, 0
    for order_id, visit in current.items():
        job = rd.job(order_id)
        if job is None or visit.technician_id is None:
            continue
        routes.setdefault(visit.technician_id, []).append((_start(visit), job.location))
        overdue = int((_start(visit) - visit.window_end).total_seconds())
        if overdue > 0:
            late_visits, late_seconds = late_visits + 1, late_seconds + overdue
    seconds = metres = 0
    for tech_id, stops in routes.items():
        tech = rd.technician_day(tech_id)
        if tech is None:
            continue
        path = [tech.departs_from, *(location for _, location in sorted(stops)), tech.location]
        for here, there in pairwise(path):
            seconds += int(rd.problem.durations[here, there])
            metres += int(rd.problem.distances[here, there])
    return {
        "travel_seconds": seconds,
        "travel_metres": metres,
        "assigned": sum(len(stops) for stops in routes.values()),
        "late_visits": late_visits,
        "late_seconds": late_seconds,
    }


def _plan_totals(stored: StoredPlan) -> dict[str, int]:
    visits = [v for r in stored.routes for v in r.visits]
    late = [int((v.start - v.window_end).total_seconds()) for v in visits if v.start > v.window_end]
    totals = stored.totals()
    return {
        "travel_seconds": totals["travel_seconds"],
        "travel_metres": totals["travel_metres"],
        "assigned": totals["assigned"],
        "late_visits": len(late),
        "late_seconds": sum(late),
    }
