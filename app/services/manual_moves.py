"""A dispatcher's changes by hand: moving an order onto a technician, checked by the engine, and locks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.extensions import db
from app.models import Order, Technician, User, Visit, utcnow
from app.services.console import RegionDay, load_region_day
from app.services.days import resequence
from app.services.errors import Conflict, Invalid, NotFound
from app.services.events import Actor, record_order_transition, record_visit_change
from app.services.plan_store import appointment_window
from app.services.records import PLANNABLE, day_visit
from app.services.regions import local_today
from app.services.visit_changes import change_visit, new_visit
from dispatch import OrderAction, OrderStatus
from dispatch import transition as lifecycle_step
from dispatch.day import Job
from dispatch.moves import check_assignment, later_starts, routes_by_technician
from dispatch.visits import TAKEN_ON, VisitChange


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
    day = start.astimezone(ZoneInfo(order.region.time_zone)).date()
    visit = _movable_visit(order, day)
    # Today, the move is checked against the day as it stands now: nothing in the past, each technician
    # setting out from where they are.
    now = utcnow() if day == local_today(order.region) else None
    rd = load_region_day(order.region, day, extra_technicians=[technician.id], not_before=now)
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
    _push_later(rd, job, rd.seconds(start), route, Actor.of(user))
    db.session.commit()
    return visit


def _movable_visit(order: Order, day: date) -> Visit | None:
    """The order's visit of the day if a dispatcher may move it (None: it has none yet); else 409."""
    if order.status not in PLANNABLE:
        raise Conflict(f"order {order.id} is {order.status.replace('_', ' ')}; it cannot be moved")
    visit = day_visit(order, day)
    other = order.current_visit
    if visit is None and other is not None and other.day != day:
        raise Conflict(f"order {order.id} has a visit on {other.day}; move it on that day's board")
    if visit is not None and visit.status in TAKEN_ON:
        raise Conflict(f"the visit is {visit.status.replace('_', ' ')}; it stays with its technician")
    if visit is not None and visit.locked:
        raise Conflict("the visit is locked; unlock it first")
    return visit


def _place(
    order: Order, visit: Visit | None, technician_id: int, start: datetime, day: date, actor: Actor
) -> Visit:
    start = start.astimezone(ZoneInfo("UTC"))
    data: dict[str, Any] = {"technician_id": technician_id, "start": start.isoformat(), "source": "console"}
    moved_from = None if visit is None else visit.technician_id
    if visit is None:
        window_start, window_end = appointment_window(start)
        visit = new_visit(
            VisitChange.ASSIGN,
            actor=actor,
            data=data,
            order=order,
            technician_id=technician_id,
            day=day,
            window_start=window_start,
            window_end=window_end,
            planned_arrival=start,
        )
    else:
        data["from_technician_id"] = moved_from
        data["from_start"] = visit.planned_arrival.isoformat() if visit.planned_arrival else None
        change_visit(
            visit,
            VisitChange.MOVE,
            actor=actor,
            data=data,
            technician_id=technician_id,
            planned_arrival=start,
        )
    _advance(order, actor)
    db.session.flush()
    resequence(technician_id, day)
    if moved_from not in (None, technician_id):
        resequence(moved_from, day)
    return visit


def _push_later(rd: RegionDay, job: Job, start: int, route: list[tuple[Job, int]], actor: Actor) -> None:
    """The visits after the moved one start later where they must, as the move check allowed them to."""
    orders = {o.id: o for o in rd.orders}
    for nxt, planned, begin in later_starts(rd.problem, job, start, route):
        visit = day_visit(orders[nxt.id], rd.day) if nxt.id in orders else None
        if begin > planned and visit is not None:
            moved = rd.at(begin).astimezone(ZoneInfo("UTC"))
            data = {"from_start": rd.at(planned).isoformat(), "start": moved.isoformat(), "for_order": job.id}
            change_visit(visit, VisitChange.RETIME, actor=actor, data=data, planned_arrival=moved)


def _advance(order: Order, actor: Actor) -> None:
    if order.status in (OrderStatus.AWAITING_GOODS, OrderStatus.READY_TO_SCHEDULE):
        record_order_transition(order, lifecycle_step(order.status, OrderAction.SCHEDULE), actor)
    if order.status == OrderStatus.SCHEDULED:
        record_order_transition(order, lifecycle_step(order.status, OrderAction.DISPATCH), actor)


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
