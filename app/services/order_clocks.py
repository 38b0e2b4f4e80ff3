"""An order's service-level clocks: recomputed from its log whenever it grows, stored, and read as of now.

`dispatch.clocks` computes; this module stores what it computed (so due and alert times are indexed) and
reads a stored clock's status as it stands at the moment asked, since time alone moves a running clock
to warning and breached. Escalating a breach (telling someone) is not done here yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.models import Event, Order, OrderClock, utcnow
from app.services.clock_log import clock_events
from app.services.errors import Invalid
from app.services.regions import find_region
from app.services.sla_policies import POLICIES, policy_version
from dispatch import clocks
from dispatch.service_levels import ClockState, ClockStatus, NoPolicy, Policy, TargetName, choose_policy

S = ClockStatus
TARGET_ORDER = {name: i for i, name in enumerate(TargetName)}
AT_RISK_LIMIT = 500


def refresh_clocks(order: Order, *, now: datetime | None = None) -> list[OrderClock]:
    """Recompute the order's clocks from its whole log and store them; the caller commits."""
    rows = db.session.scalars(
        select(Event).where(Event.order_id == order.id).order_by(Event.at, Event.id)
    ).all()
    log = clock_events(rows)
    stored = {
        clock.target: clock for clock in db.session.scalars(select(OrderClock).filter_by(order_id=order.id))
    }
    if not log:
        return []
    policy = _policy(order, stored, log[0].at)
    if policy is None:
        return []
    zone = order.region.time_zone if order.region is not None else None
    calendar = current_app.extensions["fieldops.calendars"].calendar(zone)
    # The moment asked is never before what is logged (a task's `now` may lag a row just written).
    states = clocks(log, calendar, policy, max(now or utcnow(), log[-1].at))
    kept = []
    for state in states:
        clock = stored.pop(state.target.value, None) or OrderClock(
            order_id=order.id, target=state.target.value
        )
        _store(clock, state, policy)
        db.session.add(clock)
        kept.append(clock)
    for voided in stored.values():  # called off before it fell due: it measured nothing
        db.session.delete(voided)
    return kept


def _policy(order: Order, stored: dict[str, OrderClock], received: datetime) -> Policy | None:
    """The policy version the order's clocks started under, or the one in force when it was received."""
    for clock in stored.values():
        kept = policy_version(clock.policy_name, clock.policy_version, order.kind, order.priority)
        if kept is not None:
            return kept
    region = order.region.code if order.region is not None else None
    try:
        return choose_policy(POLICIES, order.kind, order.priority, region, at=received)
    except NoPolicy:
        return None


def _store(clock: OrderClock, state: ClockState, policy: Policy) -> None:
    clock.policy_name, clock.policy_version = policy.name, policy.version
    clock.status = state.status.value
    clock.started_at, clock.due_at, clock.warn_at = state.started_at, state.due_at, state.warn_at
    clock.paused_s, clock.stopped_at, clock.next_alert_at = (
        state.paused_s,
        state.stopped_at,
        state.next_alert_at,
    )


def clock_status(clock: OrderClock, now: datetime) -> ClockStatus:
    """A stored clock's status at `now`: a running clock warns and breaches by time alone."""
    status = ClockStatus(clock.status)
    if status in (S.RUNNING, S.WARNING) and clock.stopped_at is None:
        if now > clock.due_at:
            return S.BREACHED
        if now >= clock.warn_at:
            return S.WARNING
    return status


def order_sla(order: Order, now: datetime | None = None) -> list[dict[str, Any]]:
    """The order's clocks as its page shows them, in the policy's order of targets."""
    at = now or utcnow()
    rows = db.session.scalars(select(OrderClock).filter_by(order_id=order.id)).all()
    rows = sorted(rows, key=lambda clock: TARGET_ORDER.get(TargetName(clock.target), len(TARGET_ORDER)))
    return [
        {"target": c.target, "status": clock_status(c, at).value, "due_at": c.due_at, "paused_s": c.paused_s}
        for c in rows
    ]


def at_risk(
    *, scope: set[int] | None, region_code: str | None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Open clocks in warning or breached in the caller's regions, soonest due first."""
    at = now or utcnow()
    query = (
        select(OrderClock)
        .join(Order, OrderClock.order_id == Order.id)
        .where(OrderClock.stopped_at.is_(None), OrderClock.status != S.PAUSED.value, OrderClock.warn_at <= at)
    )
    if scope is not None:
        query = query.where(or_(Order.region_id.in_(scope), Order.region_id.is_(None)))
    if region_code:
        region = find_region(region_code)
        if region is None:
            raise Invalid({"region": f"unknown region {region_code!r}"})
        query = query.where(Order.region_id == region.id)
    rows = db.session.scalars(query.order_by(OrderClock.due_at, OrderClock.id).limit(AT_RISK_LIMIT))
    return [
        {"order_id": c.order_id, "target": c.target, "status": clock_status(c, at).value, "due_at": c.due_at}
        for c in rows
    ]


def refresh_due_clocks(*, now: datetime | None = None) -> int:
    """Recompute the orders whose clocks change by themselves by `now` (warn, breach); how many orders."""
    at = now or utcnow()
    order_ids = db.session.scalars(
        select(OrderClock.order_id).where(OrderClock.next_alert_at <= at).distinct()
    ).all()
    for order_id in order_ids:
        order = db.session.get(Order, order_id)
        if order is not None:
            refresh_clocks(order, now=at)
    db.session.commit()
    return len(order_ids)
