"""Goods arrival: what a seller's shipping report does to an order waiting for what it installs.

`delivered` releases an order awaiting goods through the lifecycle; `in_transit` with a later expected date
moves the order's earliest start, which is the one date that slot offers and the planner read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispatch.lifecycle import OrderAction, OrderStatus, Transition, transition


class GoodsStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"


# Event names for the order's log, which service-level clocks read to resume.
GOODS_EVENTS = {GoodsStatus.IN_TRANSIT: "goods_in_transit", GoodsStatus.DELIVERED: "goods_delivered"}
# Orders whose work is over or called off: their goods no longer matter.
FINISHED = frozenset({OrderStatus.COMPLETED, OrderStatus.CLOSED, OrderStatus.CANCELLED})


class GoodsReportError(ValueError):
    """A report that is wrong in itself (names its field), whatever the order."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class GoodsRefused(ValueError):
    """A report the order's state does not allow."""


@dataclass(frozen=True, slots=True)
class GoodsReport:
    """What the seller's logistics system says: on the way (and when it arrives) or delivered."""

    status: GoodsStatus
    expected: date | None = None

    def __post_init__(self) -> None:
        if self.status is GoodsStatus.IN_TRANSIT and self.expected is None:
            raise GoodsReportError("expected", "goods in transit need the date they are expected")
        if self.status is GoodsStatus.DELIVERED and self.expected is not None:
            raise GoodsReportError("expected", "only goods in transit have an expected date")


@dataclass(frozen=True, slots=True)
class GoodsState:
    """What an order knows of its goods and its dates before a report."""

    order_status: OrderStatus
    goods_status: GoodsStatus | None
    expected: date | None
    earliest_start: date


@dataclass(frozen=True, slots=True)
class GoodsOutcome:
    """The order after a report: its lifecycle step (None when it keeps its status) and its dates."""

    step: Transition | None
    earliest_start: date
    expected: date | None
    changed: bool  # False for a report the order already has: nothing is recorded twice


def apply_goods_report(state: GoodsState, report: GoodsReport, today: date) -> GoodsOutcome:
    """Decide what a goods report does to an order, `today` in the order's region."""
    if state.order_status in FINISHED:
        raise GoodsRefused(f"the order is {state.order_status.value}; its goods no longer matter")
    if report.status is GoodsStatus.DELIVERED:
        return _delivered(state, today)
    assert report.expected is not None  # GoodsReport checked it
    if report.expected < today:
        raise GoodsReportError("expected", f"must not be in the past (today in the region is {today})")
    if state.goods_status is GoodsStatus.DELIVERED:
        raise GoodsRefused("the goods were already reported delivered")
    repeated = state.goods_status is GoodsStatus.IN_TRANSIT and state.expected == report.expected
    return GoodsOutcome(
        step=None,
        # A slipping delivery pushes the first day offered; an earlier one leaves what was agreed.
        earliest_start=max(state.earliest_start, report.expected),
        expected=report.expected,
        changed=not repeated,
    )


def _delivered(state: GoodsState, today: date) -> GoodsOutcome:
    step = None
    if state.order_status is OrderStatus.AWAITING_GOODS:
        step = transition(state.order_status, OrderAction.RELEASE)
    return GoodsOutcome(
        step=step,
        # The goods are there: the order may be served from today, not from the day they were due.
        earliest_start=min(state.earliest_start, today),
        expected=state.expected,
        changed=state.goods_status is not GoodsStatus.DELIVERED,
    )
