"""Publishing a plan: its routes become the technicians' schedule, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Order, PlanRun, Technician, Visit, utcnow
from app.services.days import day_clashes, resequence
from app.services.errors import Conflict
from app.services.events import Actor, record_order_transition
from app.services.plan_store import Publication, StoredVisit, decode, encode
from app.services.planning import get_plan
from app.services.records import PLANNABLE, day_visits
from app.services.visit_changes import change_visit, new_visit
from dispatch import OrderAction, OrderStatus
from dispatch import transition as lifecycle_step
from dispatch.visits import TAKEN_ON, VisitChange, VisitStatus


def publish_plan(plan_id: int, *, actor: Actor, scope: set[int] | None) -> PlanRun:
    """Make a finished plan the technicians' schedule, all of it or, on any conflict, none of it."""
    plan = get_plan(plan_id, scope=scope)
    try:
        publication = _publish(plan, actor)
    except Conflict:
        db.session.rollback()
        raise
    plan.result = encode(replace(decode(plan.result or {}), publication=publication))
    db.session.commit()
    return plan


def _publish(plan: PlanRun, actor: Actor) -> Publication:
    _claim(plan, actor)
    stored = decode(plan.result or {})
    assigned = {order_id: (tech.id, visit) for order_id, (tech, visit) in stored.assigned.items()}
    unassigned = [u.order_id for u in stored.unassigned]
    order_ids = sorted({*assigned, *unassigned})
    orders = _locked_orders(order_ids)
    context = _Publication(plan=plan, actor=actor)
    for order_id, (technician_id, planned) in assigned.items():
        if order_id in orders:
            context.assign(orders[order_id], technician_id, planned)
    for order_id in unassigned:
        if order_id in orders:
            context.release(orders[order_id])
    db.session.flush()
    _refuse_clashes(plan, context.technicians, set(order_ids))
    return context.summary()


def _claim(plan: PlanRun, actor: Actor) -> None:
    """Mark the plan published, once; publications of one day take turns."""
    # On PostgreSQL the day's plan rows are locked in id order; on SQLite the claiming UPDATE below takes the
    # database's write lock before anything else is read.
    db.session.execute(
        select(PlanRun.id).where(PlanRun.day == plan.day).order_by(PlanRun.id).with_for_update()
    )
    claimed = db.session.execute(
        update(PlanRun)
        .where(PlanRun.id == plan.id, PlanRun.status == "done", PlanRun.published_at.is_(None))
        .values(published_at=utcnow(), published_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(plan)
        if plan.published_at is not None:
            raise Conflict(f"plan {plan.id} was already published at {plan.published_at.isoformat()}")
        raise Conflict(f"plan {plan.id} is {plan.status}; only a finished plan can be published")
    db.session.refresh(plan)
    _refuse_if_superseded(plan)


def _locked_orders(order_ids: list[int]) -> dict[int, Order]:
    """The plan's orders with their visits, held until the publication commits."""
    # Phones report visit events concurrently; the rows this publication reads are held until it commits.
    db.session.execute(
        select(Visit.id).where(Visit.order_id.in_(order_ids)).order_by(Visit.id).with_for_update()
    )
    locked = (
        select(Order)
        .where(Order.id.in_(order_ids))
        .order_by(Order.id)
        .options(selectinload(Order.visits))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )
    return {o.id: o for o in db.session.scalars(locked)}


def _refuse_clashes(plan: PlanRun, technician_ids: set[int], order_ids: set[int]) -> None:
    """One technician, one day: refuse a publication that leaves any of them two places at once."""
    for technician_id in sorted(technician_ids):
        resequence(technician_id, plan.day)
    found = day_clashes(sorted(technician_ids), plan.day)
    ours = [
        (tech_id, clash)
        for tech_id, tech_clashes in found.items()
        for clash in tech_clashes
        if {clash.first.order_id, clash.second.order_id} & order_ids
    ]
    if ours:
        named = select(Technician.id, Technician.code).where(Technician.id.in_(found))
        codes = {row.id: row.code for row in db.session.execute(named)}
        raise Conflict(
            "the plan would give a technician visits they cannot all make, with visits published since it "
            "was made; plan the day again",
            extra={
                "clashes": [
                    {
                        "technician": codes[tech_id],
                        "orders": [clash.first.order_id, clash.second.order_id],
                        "regions": [clash.first.region, clash.second.region],
                        "detail": clash.detail,
                    }
                    for tech_id, clash in ours
                ]
            },
        )


def _refuse_if_superseded(plan: PlanRun) -> None:
    others = db.session.scalars(
        select(PlanRun).where(
            PlanRun.day == plan.day,
            PlanRun.id != plan.id,
            PlanRun.published_at.is_not(None),
            PlanRun.published_at > plan.created_at,
        )
    )
    for other in others:
        shared = sorted(set(other.region_codes) & set(plan.region_codes))
        if shared:
            raise Conflict(
                f"plan {other.id} for {', '.join(shared)} on {plan.day} was published after plan {plan.id} "
                "was made; plan the day again",
                extra={"published_plan": other.id},
            )


@dataclass
class _Publication:
    """Applies one plan to orders and visits, counting what it did."""

    plan: PlanRun
    actor: Actor
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    released: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    technicians: set[int] = field(default_factory=set)  # whose day the publication changed

    def assign(self, order: Order, technician_id: int, planned: StoredVisit) -> None:
        """Put the order on the technician's route at its planned place."""
        start = planned.start
        visit = self._day_visit(order)
        if visit is not None and (visit.locked or visit.status in TAKEN_ON):
            moved = visit.technician_id != technician_id or (
                visit.planned_arrival is not None and visit.planned_arrival != start
            )
            if moved:
                raise Conflict(
                    f"the visit for order {order.id} is {_taken(visit)}; this plan would move it",
                    extra={"order_id": order.id, "visit_id": visit.id},
                )
            self.unchanged += 1
            return
        if order.status not in PLANNABLE:
            self._skip(order, f"the order is now {order.status}")
        elif visit is None and order.current_visit is not None:
            self._skip(order, f"the order now has a visit on {order.current_visit.day}")
        elif visit is not None and not visit.window_start <= start <= visit.window_end:
            self._skip(order, "the customer was given another window since the plan was made")
        else:
            self._advance(order)
            self._place(order, visit, technician_id, start, planned)

    def release(self, order: Order) -> None:
        """Take an order the plan left out off the day's routes, keeping the customer's appointment."""
        visit = self._day_visit(order)
        if visit is None or (visit.technician_id is None and visit.status == VisitStatus.BOOKED):
            return
        if visit.locked or visit.status in TAKEN_ON:
            raise Conflict(
                f"the visit for order {order.id} is {_taken(visit)}; this plan leaves it out",
                extra={"order_id": order.id, "visit_id": visit.id},
            )
        if visit.technician_id is not None:
            self.technicians.add(visit.technician_id)
        change_visit(
            visit,
            VisitChange.UNPLAN,
            actor=self.actor,
            reason=f"left out of plan {self.plan.id}",
            data=self._data(),
            technician_id=None,
            sequence=None,
            planned_arrival=None,
        )
        if order.status == OrderStatus.DISPATCHED:
            # Back to scheduled: the appointment stands, only its technician is gone.
            for action in (OrderAction.UNSCHEDULE, OrderAction.SCHEDULE):
                record_order_transition(
                    order, lifecycle_step(order.status, action), self.actor, data=self._data()
                )
        self.released += 1

    def summary(self) -> Publication:
        """What the publication did, kept with the plan."""
        return Publication(
            published_at=self.plan.published_at,
            visits_created=self.created,
            visits_updated=self.updated,
            visits_unchanged=self.unchanged,
            visits_released=self.released,
            skipped=tuple(self.skipped),
        )

    def _place(
        self, order: Order, visit: Visit | None, technician_id: int, start: datetime, planned: StoredVisit
    ) -> None:
        data = {**self._data(), "technician_id": technician_id, "sequence": planned.sequence}
        self.technicians.add(technician_id)
        if visit is not None and visit.technician_id is not None:
            self.technicians.add(visit.technician_id)
        placed = {"technician_id": technician_id, "planned_arrival": start, "sequence": planned.sequence}
        if visit is None:
            window = {"window_start": planned.window_start, "window_end": planned.window_end}
            where = {"order": order, "day": self.plan.day, **window, **placed}
            new_visit(VisitChange.PLAN, actor=self.actor, data=data, **where)
            self.created += 1
            return
        before = (visit.technician_id, visit.planned_arrival, visit.sequence, visit.status)
        if before == (technician_id, start, planned.sequence, VisitStatus.DISPATCHED):
            self.unchanged += 1
            return
        # Booked by the customer or placed by hand: this is its first dispatch; otherwise it is moved.
        change = VisitChange.REPLAN if visit.status == VisitStatus.DISPATCHED else VisitChange.DISPATCH
        change_visit(visit, change, actor=self.actor, data=data, **placed)
        self.updated += 1

    def _advance(self, order: Order) -> None:
        if order.status in (OrderStatus.AWAITING_GOODS, OrderStatus.READY_TO_SCHEDULE):
            record_order_transition(
                order, lifecycle_step(order.status, OrderAction.SCHEDULE), self.actor, data=self._data()
            )
        if order.status == OrderStatus.SCHEDULED:
            record_order_transition(
                order, lifecycle_step(order.status, OrderAction.DISPATCH), self.actor, data=self._data()
            )

    def _day_visit(self, order: Order) -> Visit | None:
        visits = day_visits(order, self.plan.day)
        return visits[-1] if visits else None

    def _skip(self, order: Order, detail: str) -> None:
        self.skipped.append((order.id, detail))

    def _data(self) -> dict[str, Any]:
        return {"plan_id": self.plan.id}


def _taken(visit: Visit) -> str:
    return "locked" if visit.locked and visit.status not in TAKEN_ON else visit.status.replace("_", " ")
