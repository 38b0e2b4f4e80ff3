"""What publishing a plan would change: moved and new visits, what stays out and why, and the totals."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from app.models import PlanRun, Visit
from app.services.console import RegionDay, day_visit

# A visit whose start moves by less than this is shown as unchanged.
SAME_TIME = timedelta(minutes=5)


def review_plan(plan: PlanRun, rd: RegionDay) -> dict[str, Any]:
    """The plan against the region's current schedule, order by order, with totals before and after."""
    result = plan.result or {}
    orders = {o.id: o for o in rd.orders}
    current = {
        o.id: v
        for o in rd.orders
        if (v := day_visit(o, rd.day)) is not None and v.technician_id and v.planned_arrival
    }
    names = {t.id: t.code for t in rd.technicians}
    moved, assigned, unchanged = [], [], 0
    planned_ids: set[int] = set()
    for route in result.get("routes", []):
        tech = route["technician"]
        names.setdefault(tech["id"], tech["code"])
        for stop in route["visits"]:
            planned_ids.add(stop["order_id"])
            start = datetime.fromisoformat(stop["start"])
            now = current.get(stop["order_id"])
            entry = {
                "order_id": stop["order_id"],
                "customer": orders[stop["order_id"]].customer.name if stop["order_id"] in orders else "",
                "technician": tech["code"],
                "start": stop["start"],
                "window_start": stop["window_start"],
                "window_end": stop["window_end"],
            }
            if now is None:
                assigned.append(entry)
            elif now.technician_id != tech["id"] or abs(_start(now) - start) >= SAME_TIME:
                assert now.planned_arrival is not None
                entry["from_technician"] = names.get(now.technician_id or 0, str(now.technician_id))
                entry["from_start"] = now.planned_arrival.astimezone(rd.zone).isoformat()
                moved.append(entry)
            else:
                unchanged += 1
    unassigned = [
        {
            "order_id": u["order_id"],
            "customer": orders[u["order_id"]].customer.name if u["order_id"] in orders else "",
            "was_assigned_to": names.get(current[u["order_id"]].technician_id or 0)
            if u["order_id"] in current
            else None,
            "reasons": u["reasons"],
        }
        for u in result.get("unassigned", [])
    ]
    return {
        "moved": moved,
        "assigned": assigned,
        "unchanged": unchanged,
        "unassigned": unassigned,
        "before": schedule_totals(rd, current),
        "after": _plan_totals(result),
    }


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
        path = [tech.location, *(location for _, location in sorted(stops)), tech.location]
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


def _plan_totals(result: dict[str, Any]) -> dict[str, int]:
    totals = result.get("totals", {})
    late_visits, late_seconds = 0, 0
    for route in result.get("routes", []):
        for stop in route["visits"]:
            overdue = int(
                (
                    datetime.fromisoformat(stop["start"]) - datetime.fromisoformat(stop["window_end"])
                ).total_seconds()
            )
            if overdue > 0:
                late_visits, late_seconds = late_visits + 1, late_seconds + overdue
    return {
        "travel_seconds": int(totals.get("travel_seconds", 0)),
        "travel_metres": int(totals.get("travel_metres", 0)),
        "assigned": int(totals.get("assigned", 0)),
        "late_visits": late_visits,
        "late_seconds": late_seconds,
    }
