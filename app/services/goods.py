"""Goods arrival: the seller's logistics reports goods on the way or delivered; each report owns its commit.

The rules are in `dispatch.goods`. Each report that tells the order something new is one event on the order,
named `goods_in_transit` or `goods_delivered`, for the history and for service-level clocks to resume from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Order
from app.services.errors import Conflict, Invalid
from app.services.events import Actor, record_order_event
from app.services.orders import get_order, order_today
from dispatch import OrderStatus, sla_due
from dispatch.goods import (
    GOODS_EVENTS,
    GoodsOutcome,
    GoodsRefused,
    GoodsReport,
    GoodsReportError,
    GoodsState,
    GoodsStatus,
    apply_goods_report,
)

__all__ = ["report_goods"]


def report_goods(order_id: int, *, report: GoodsReport, actor: Actor, scope: set[int] | None) -> Order:
    """Apply a goods report to an order the caller may see; the same report again changes nothing."""
    order = _locked(get_order(order_id, scope=scope))
    try:
        outcome = apply_goods_report(_goods_state(order), report, order_today(order.region))
    except GoodsReportError as exc:
        raise Invalid({exc.field: str(exc)}) from exc
    except GoodsRefused as exc:
        raise Conflict(str(exc)) from exc
    if not outcome.changed:
        return order
    data: dict[str, Any] = {"goods_status": report.status.value, "expected": _iso(report.expected)}
    if outcome.earliest_start != order.earliest_start:
        data["earliest_start"] = {"from": _iso(order.earliest_start), "to": _iso(outcome.earliest_start)}
        _move_earliest_start(order, outcome)
    order.goods_status = report.status.value
    order.goods_expected_on = outcome.expected
    record_order_event(order, action=GOODS_EVENTS[report.status], actor=actor, step=outcome.step, data=data)
    db.session.commit()
    return order


def _locked(order: Order) -> Order:
    # A retry racing its original must not release the order twice: the second waits for the first's commit
    # and reads what it wrote.
    query = select(Order).where(Order.id == order.id).with_for_update(of=Order)
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def _goods_state(order: Order) -> GoodsState:
    return GoodsState(
        order_status=OrderStatus(order.status),
        goods_status=GoodsStatus(order.goods_status) if order.goods_status else None,
        expected=order.goods_expected_on,
        earliest_start=order.earliest_start,
    )


def _move_earliest_start(order: Order, outcome: GoodsOutcome) -> None:
    # earliest_start is the one date slot offers and the planner read. The service is due counting from the
    # day the goods are there, so a slip moves that due day with it; goods early never bring it forward.
    order.earliest_start = outcome.earliest_start
    order.sla_due = max(order.sla_due, sla_due(order.kind, order.priority, outcome.earliest_start))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None
