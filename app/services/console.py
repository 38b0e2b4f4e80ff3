"""The dispatcher's day as the console shows it, and the changes a dispatcher makes by hand.

A region's day is read once into a `RegionDay`: its technicians, its orders, and the engine's `DayProblem`
built from them, so that the board, the map, the reasons for unassigned orders and the check of a manual
move all see the same day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Attachment,
    Event,
    Order,
    PlanRun,
    Region,
    Technician,
    TechnicianPosition,
    User,
    Visit,
    technician_help_regions,
)
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events import Actor, record_order_transition, record_visit_change
from app.services.network import list_regions
from app.services.planning import (
    PLANNABLE,
    TAKEN_ON,
    appointment_window,
    order_record,
    technician_record,
    technician_record_loads,
)
from app.services.regions import find_region, local_today, visible_region_ids
from app.services.travel import travel_provider
from dispatch import OrderAction, OrderStatus, allowed_actions
from dispatch import transition as lifecycle_step
from dispatch.build import build_day_problem, day_locations
from dispatch.day import DayProblem, Job, TechnicianDay
from dispatch.eligibility import candidates, explain_ineligible
from dispatch.moves import check_assignment, routes_by_technician

# An order the engine could place but no plan has placed yet.
NOT_PLANNED = "not_planned"


@dataclass(frozen=True, slots=True, eq=False)
class RegionDay:
    """One region's day: who works, what is to be done, and the engine's view of both."""

    region: Region
    day: date
    technicians: list[Technician]
    orders: list[Order]
    problem: DayProblem
    origin: datetime  # the local midnight the problem counts seconds from

    @property
    def zone(self) -> ZoneInfo:
        """The region's time zone, in which the dispatcher reads every time."""
        return ZoneInfo(self.region.time_zone)

    def at(self, seconds: int) -> datetime:
        """A moment of the problem as a local time."""
        return (self.origin + timedelta(seconds=seconds)).astimezone(self.zone)

    def seconds(self, moment: datetime) -> int:
        """A moment as the problem's seconds from midnight."""
        return int((moment - self.origin).total_seconds())

    def job(self, order_id: int) -> Job | None:
        """The engine's job for an order, if it belongs to the day."""
        return next((j for j in self.problem.jobs if j.id == order_id), None)

    def technician_day(self, technician_id: int) -> TechnicianDay | None:
        """The engine's view of a technician's day."""
        return next((t for t in self.problem.technicians if t.id == technician_id), None)


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
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid({"date": f"{value!r} is not a date (YYYY-MM-DD)"}) from exc


def load_region_day(region: Region, day: date, *, extra_technicians: Sequence[int] = ()) -> RegionDay:
    """Read a region's day and build the engine's problem for it."""
    orders = _day_orders(region.id, day)
    holders = {v.technician_id for o in orders for v in o.visits if v.day == day and v.technician_id}
    technicians = _day_technicians(region.id, holders | set(extra_technicians))
    tech_records = [technician_record(t) for t in technicians]
    order_records = [order_record(o, day) for o in orders]
    points = day_locations(tech_records, order_records)
    matrix = travel_provider(current_app.config, [region]).matrix(points, points)
    problem, origin = build_day_problem(day, region.time_zone, tech_records, order_records, matrix)
    return RegionDay(region, day, technicians, orders, problem, origin)


def _day_orders(region_id: int, day: date) -> list[Order]:
    """Open orders that could be served on the day, and everything already booked for it."""
    open_visit = and_(Visit.order_id == Order.id, Visit.status.not_in(Visit.CLOSED_STATUSES))
    waiting = and_(
        Order.status.in_(PLANNABLE),
        Order.earliest_start <= day,
        ~exists().where(open_visit, Visit.day != day),
    )
    booked = exists().where(Visit.order_id == Order.id, Visit.day == day, Visit.status != "cancelled")
    query = (
        select(Order)
        .where(Order.region_id == region_id, or_(waiting, booked))
        .options(
            selectinload(Order.visits),
            selectinload(Order.skills),
            selectinload(Order.site),
            selectinload(Order.customer),
        )
        .order_by(Order.id)
    )
    return list(db.session.scalars(query))


def _day_technicians(region_id: int, also: set[int]) -> list[Technician]:
    helps = select(technician_help_regions.c.technician_id).where(
        technician_help_regions.c.region_id == region_id
    )
    query = (
        select(Technician)
        .where(
            or_(
                and_(
                    Technician.active.is_(True),
                    or_(Technician.primary_region_id == region_id, Technician.id.in_(helps)),
                ),
                Technician.id.in_(also),
            )
        )
        .options(*technician_record_loads())
        .order_by(Technician.code)
    )
    return list(db.session.scalars(query))


def day_visit(order: Order, day: date) -> Visit | None:
    """The order's visit on the day that is still to happen or under way."""
    visits = [v for v in order.visits if v.day == day and v.status not in Visit.CLOSED_STATUSES]
    return visits[-1] if visits else None


def placed_visits(order: Order, day: date) -> list[Visit]:
    """The order's visits of the day that have a technician and a time, done or not."""
    return [
        v
        for v in order.visits
        if v.day == day and v.status != "cancelled" and v.technician_id and v.planned_arrival
    ]


def latest_plan(region: Region, day: date) -> PlanRun | None:
    """The newest plan run of the day that covers the region."""
    runs = db.session.scalars(select(PlanRun).where(PlanRun.day == day).order_by(PlanRun.id.desc()))
    return next((run for run in runs if region.code in (run.region_codes or [])), None)


def board(region_day: RegionDay) -> dict[str, Any]:
    """The day board: a row per technician with shift and lunch, the visits, and the unassigned queue."""
    rd = region_day
    visits, unassigned = [], []
    plan = latest_plan(rd.region, rd.day)
    plan_reasons = _plan_reasons(plan)
    for order in rd.orders:
        visits.extend(_visit_item(rd, order, v) for v in placed_visits(order, rd.day))
        visit = day_visit(order, rd.day)
        if order.status in PLANNABLE and (visit is None or visit.technician_id is None):
            unassigned.append(_unassigned_item(rd, order, visit, plan_reasons))
    return {
        "region": {"code": rd.region.code, "name": rd.region.name, "time_zone": rd.region.time_zone},
        "date": rd.day.isoformat(),
        "technicians": [_technician_row(rd, t) for t in rd.technicians],
        "visits": visits,
        "unassigned": unassigned,
        "plan": plan_status(plan),
    }


def plan_status(plan: PlanRun | None) -> dict[str, Any] | None:
    """What the console needs to follow a plan run."""
    if plan is None:
        return None
    totals = (plan.result or {}).get("totals")
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
    return {u["order_id"]: u["reasons"] for u in plan.result.get("unassigned", [])}


def _technician_row(rd: RegionDay, tech: Technician) -> dict[str, Any]:
    engine = rd.technician_day(tech.id)
    shift = engine.shift if engine is not None else None
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


def _visit_item(rd: RegionDay, order: Order, visit: Visit) -> dict[str, Any]:
    assert visit.planned_arrival is not None
    end = visit.planned_arrival + timedelta(minutes=order.duration_min)
    late = visit.planned_arrival > visit.window_end
    return {
        "id": visit.id,
        "order_id": order.id,
        "technician_id": visit.technician_id,
        "start": _iso(visit.planned_arrival.astimezone(rd.zone)),
        "end": _iso(end.astimezone(rd.zone)),
        "window_start": _iso(visit.window_start.astimezone(rd.zone)),
        "window_end": _iso(visit.window_end.astimezone(rd.zone)),
        "status": visit.status,
        "locked": visit.locked,
        "late": late,
        "sequence": visit.sequence,
        **_order_summary(order),
    }


def _unassigned_item(
    rd: RegionDay, order: Order, visit: Visit | None, plan_reasons: dict[int, list[dict[str, str]]]
) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "visit_id": visit.id if visit is not None else None,
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
        return [{"code": "not_today", "detail": "the goods are not due by this day"}]
    reasons = explain_ineligible(rd.problem, job)
    if reasons:
        return [{"code": r.code, "detail": r.detail} for r in reasons]
    able = [c.technician.code for c in candidates(rd.problem, job)]
    shown = ", ".join(able[:5]) + (f" and {len(able) - 5} more" if len(able) > 5 else "")
    return [{"code": NOT_PLANNED, "detail": f"not planned yet; {shown} could take it"}]


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# --- Manual changes -------------------------------------------------------------------------------------


class MoveRefused(Conflict):
    """A manual move that would break the engine's rules; the rules travel with the refusal."""

    title = "Move refused"


def move_order(
    *, order_id: int, technician_id: int, start: datetime, user: User, scope: set[int] | None
) -> Visit:
    """Put an order on a technician at a start time, if the engine finds no rule broken."""
    order = db.session.get(Order, order_id)
    if order is None or (scope is not None and order.region_id not in scope):
        raise NotFound(f"order {order_id} not found")
    technician = db.session.get(Technician, technician_id)
    if technician is None:
        raise Invalid({"technician_id": f"no technician {technician_id}"})
    if start.tzinfo is None:
        raise Invalid({"start": "give the time with its offset"})
    if order.status not in PLANNABLE:
        raise Conflict(f"order {order.id} is {order.status.replace('_', ' ')}; it cannot be moved")
    day = start.astimezone(ZoneInfo(order.region.time_zone)).date()
    visit = day_visit(order, day)
    other = order.current_visit
    if visit is None and other is not None and other.day != day:
        raise Conflict(f"order {order.id} has a visit on {other.day}; move it on that day's board")
    if visit is not None and visit.status in TAKEN_ON:
        raise Conflict(f"the visit is {visit.status.replace('_', ' ')}; it stays with its technician")
    if visit is not None and visit.locked:
        raise Conflict("the visit is locked; unlock it first")

    rd = load_region_day(order.region, day, extra_technicians=[technician.id])
    job, tech_day = rd.job(order.id), rd.technician_day(technician.id)
    if job is None or tech_day is None:
        raise Conflict(f"order {order.id} cannot be served on {day}")
    route = routes_by_technician(rd.problem).get(technician.id, [])
    verdict = check_assignment(rd.problem, job, tech_day, rd.seconds(start), route)
    if not verdict.feasible:
        raise MoveRefused(
            "the move breaks the rules below",
            extra={"violations": [{"code": r.code, "detail": r.detail} for r in verdict.violations]},
        )
    visit = _place(order, visit, technician.id, start, day, Actor.of(user))
    db.session.commit()
    return visit


def _place(
    order: Order, visit: Visit | None, technician_id: int, start: datetime, day: date, actor: Actor
) -> Visit:
    start = start.astimezone(ZoneInfo("UTC"))
    data: dict[str, Any] = {"technician_id": technician_id, "start": start.isoformat(), "source": "console"}
    if visit is None:
        window_start, window_end = appointment_window(start)
        visit = Visit(
            order=order,
            technician_id=technician_id,
            day=day,
            window_start=window_start,
            window_end=window_end,
            planned_arrival=start,
            status="dispatched",
        )
        db.session.add(visit)
        db.session.flush()
        record_visit_change(
            visit, action="assign", from_state=None, to_state="dispatched", actor=actor, data=data
        )
    else:
        before = visit.status
        data["from_technician_id"] = visit.technician_id
        data["from_start"] = visit.planned_arrival.isoformat() if visit.planned_arrival else None
        visit.technician_id, visit.planned_arrival, visit.status = technician_id, start, "dispatched"
        record_visit_change(
            visit, action="move", from_state=before, to_state="dispatched", actor=actor, data=data
        )
    _advance(order, actor)
    db.session.flush()
    _resequence(technician_id, day)
    if data.get("from_technician_id") not in (None, technician_id):
        _resequence(data["from_technician_id"], day)
    return visit


def _advance(order: Order, actor: Actor) -> None:
    if order.status in (OrderStatus.AWAITING_GOODS, OrderStatus.READY_TO_SCHEDULE):
        record_order_transition(order, lifecycle_step(order.status, OrderAction.SCHEDULE), actor)
    if order.status == OrderStatus.SCHEDULED:
        record_order_transition(order, lifecycle_step(order.status, OrderAction.DISPATCH), actor)


def _resequence(technician_id: int, day: date) -> None:
    """Number a technician's visits of the day in the order of their planned arrival."""
    visits = db.session.scalars(
        select(Visit).where(
            Visit.technician_id == technician_id,
            Visit.day == day,
            Visit.status.not_in(Visit.CLOSED_STATUSES),
            Visit.planned_arrival.is_not(None),
        )
    ).all()
    for number, visit in enumerate(sorted(visits, key=lambda v: v.planned_arrival), start=1):
        if visit.sequence != number:
            visit.sequence = number


def set_visit_lock(*, visit_id: int, locked: bool, user: User, scope: set[int] | None) -> Visit:
    """Lock a visit to its technician and time (the optimizer leaves it be), or release it again."""
    visit = db.session.get(Visit, visit_id)
    if visit is None or (scope is not None and visit.order.region_id not in scope):
        raise NotFound(f"visit {visit_id} not found")
    if visit.status in Visit.CLOSED_STATUSES:
        raise Conflict(f"the visit is {visit.status.replace('_', ' ')}")
    if locked and visit.technician_id is None:
        raise Conflict("only a visit with a technician can be locked")
    if visit.locked != locked:
        visit.locked = locked
        record_visit_change(
            visit,
            action="lock" if locked else "unlock",
            from_state=visit.status,
            to_state=visit.status,
            actor=Actor.of(user),
        )
    db.session.commit()
    return visit


# --- Map and live updates -------------------------------------------------------------------------------

# What a technician is doing, read from the visit furthest along; the first match wins.
FIELD_STATUSES = ("in_progress", "paused", "arrived", "en_route", "accepted")


def map_layers(rd: RegionDay, *, scope: set[int] | None) -> dict[str, Any]:
    """Everything the map draws, in Leaflet's [lat, lon] order: outlines, homes, visits and routes."""
    board_day = board(rd)
    homes = {t.id: [t.home_lat, t.home_lon] for t in rd.technicians}
    by_tech: dict[int, list[dict[str, Any]]] = {}
    for item in sorted(board_day["visits"], key=lambda v: v["start"]):
        by_tech.setdefault(item["technician_id"], []).append(item)
    routes = [
        {
            "technician_id": tech_id,
            "points": [homes[tech_id], *([v["lat"], v["lon"]] for v in visits), homes[tech_id]],
        }
        for tech_id, visits in by_tech.items()
        if tech_id in homes
    ]
    return {
        "region": board_day["region"],
        "date": board_day["date"],
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "current": r.id == rd.region.id,
                "outline": [[lat, lon] for lon, lat in r.polygon or []],
            }
            for r in list_regions(scope=scope)
            if r.polygon
        ],
        "technicians": [{**row, "home": homes[row["id"]]} for row in board_day["technicians"]],
        "visits": board_day["visits"],
        "unassigned": board_day["unassigned"],
        "routes": routes,
        "live": live_status(rd.region, rd.day),
    }


def live_status(region: Region, day: date) -> dict[str, Any]:
    """Each technician's field status and last known position, and each visit's status, for the day."""
    visits = db.session.scalars(
        select(Visit)
        .join(Order)
        .where(Visit.day == day, Order.region_id == region.id, Visit.technician_id.is_not(None))
        .order_by(Visit.id)
    ).all()
    statuses: dict[int, list[str]] = {}
    for visit in visits:
        statuses.setdefault(visit.technician_id or 0, []).append(visit.status)
    positions = last_positions(set(statuses))
    technicians = []
    for tech_id, seen in statuses.items():
        status = next((s for s in FIELD_STATUSES if s in seen), None)
        if status is None:
            status = "done" if all(s in Visit.CLOSED_STATUSES for s in seen) else "planned"
        technicians.append({"id": tech_id, "status": status, "position": positions.get(tech_id)})
    return {
        "technicians": technicians,
        "visits": [{"id": v.id, "status": v.status, "locked": v.locked} for v in visits],
    }


def last_positions(technician_ids: set[int]) -> dict[int, dict[str, Any]]:
    """Where the technicians' phones last reported being."""
    rows = db.session.scalars(
        select(TechnicianPosition).where(TechnicianPosition.technician_id.in_(technician_ids))
    )
    return {
        row.technician_id: {"lat": row.lat, "lon": row.lon, "reported_at": row.reported_at.isoformat()}
        for row in rows
    }


# --- The order page -------------------------------------------------------------------------------------

# The order actions the console offers, as (action, button label).
ORDER_BUTTONS = ((OrderAction.HOLD, "Hold"), (OrderAction.CANCEL, "Cancel"), (OrderAction.RESUME, "Re-open"))


def order_events(order: Order) -> list[Event]:
    """The order's history from the audit log, oldest first, its visits' events included."""
    return list(
        db.session.scalars(select(Event).where(Event.order_id == order.id).order_by(Event.at, Event.id))
    )


def order_actions(order: Order) -> list[tuple[str, str]]:
    """The hold, cancel and re-open buttons the order's status allows."""
    allowed = allowed_actions(OrderStatus(order.status))
    return [(action.value, label) for action, label in ORDER_BUTTONS if action in allowed]


def order_attachments(order: Order) -> list[Attachment]:
    """Photos and the signature the technicians' phones left on the order's visits."""
    visit_ids = [v.id for v in order.visits]
    query = select(Attachment).where(Attachment.visit_id.in_(visit_ids)).order_by(Attachment.id)
    return list(db.session.scalars(query))


def attachment_file(attachment_id: int, *, scope: set[int] | None) -> tuple[Attachment, Path]:
    """An attachment and where its bytes are, if the caller may see its order."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or (scope is not None and attachment.visit.order.region_id not in scope):
        raise NotFound(f"attachment {attachment_id} not found")
    folder = current_app.config.get("ATTACHMENTS_DIR") or str(Path(current_app.instance_path) / "attachments")
    return attachment, Path(folder) / attachment.storage_name
