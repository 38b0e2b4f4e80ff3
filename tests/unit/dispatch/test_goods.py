"""Goods reports: releasing, moving the earliest start, refusing, and never recording twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch import OrderAction, OrderStatus
from dispatch.goods import (
    GoodsRefused,
    GoodsReport,
    GoodsReportError,
    GoodsState,
    GoodsStatus,
    apply_goods_report,
)

S, G = OrderStatus, GoodsStatus
TODAY = date(2026, 12, 3)
DELIVERED = GoodsReport(G.DELIVERED)


def _state(
    status: OrderStatus = S.AWAITING_GOODS, goods: GoodsStatus | None = None, **dates: date
) -> GoodsState:
    return GoodsState(
        order_status=status,
        goods_status=goods,
        expected=dates.get("expected"),
        earliest_start=dates.get("earliest", TODAY + timedelta(days=4)),
    )


def test_delivered_releases_an_order_awaiting_goods_from_today() -> None:
    """Delivery releases through the lifecycle, and the order may be served from today."""
    outcome = apply_goods_report(_state(), DELIVERED, TODAY)
    assert outcome.step is not None and outcome.step.action is OrderAction.RELEASE
    assert outcome.step.to_status is S.READY_TO_SCHEDULE
    assert (outcome.earliest_start, outcome.changed) == (TODAY, True)


@pytest.mark.parametrize("status", [S.READY_TO_SCHEDULE, S.SCHEDULED, S.DISPATCHED, S.IN_PROGRESS, S.ON_HOLD])
def test_delivered_past_waiting_changes_no_status(status: OrderStatus) -> None:
    """An order past waiting for goods keeps its status; the delivery is still news."""
    outcome = apply_goods_report(_state(status), DELIVERED, TODAY)
    assert outcome.step is None and outcome.changed


def test_a_repeated_delivery_changes_nothing() -> None:
    """Delivered after delivered is not news."""
    outcome = apply_goods_report(_state(S.READY_TO_SCHEDULE, G.DELIVERED), DELIVERED, TODAY)
    assert outcome.step is None and not outcome.changed


@pytest.mark.parametrize("status", [S.COMPLETED, S.CLOSED, S.CANCELLED])
@pytest.mark.parametrize("report", [DELIVERED, GoodsReport(G.IN_TRANSIT, TODAY)])
def test_finished_orders_refuse_reports(status: OrderStatus, report: GoodsReport) -> None:
    """Completed, closed and cancelled orders refuse goods reports."""
    with pytest.raises(GoodsRefused):
        apply_goods_report(_state(status), report, TODAY)


def test_in_transit_after_delivery_is_refused() -> None:
    """A stale in-transit report cannot undo a delivery."""
    with pytest.raises(GoodsRefused):
        apply_goods_report(_state(S.READY_TO_SCHEDULE, G.DELIVERED), GoodsReport(G.IN_TRANSIT, TODAY), TODAY)


@pytest.mark.parametrize(
    ("status", "expected", "field"),
    [(G.IN_TRANSIT, None, "expected"), (G.DELIVERED, TODAY, "expected")],
)
def test_a_report_wrong_in_itself_names_its_field(
    status: GoodsStatus, expected: date | None, field: str
) -> None:
    """In transit needs an expected date; a delivery has none."""
    with pytest.raises(GoodsReportError) as raised:
        GoodsReport(status, expected)
    assert raised.value.field == field


def test_an_expected_date_in_the_past_is_refused() -> None:
    """Goods cannot be expected yesterday."""
    with pytest.raises(GoodsReportError):
        apply_goods_report(_state(), GoodsReport(G.IN_TRANSIT, TODAY - timedelta(days=1)), TODAY)


@given(earliest=st.integers(0, 30), expected=st.integers(0, 30))
def test_in_transit_never_moves_the_earliest_start_earlier(earliest: int, expected: int) -> None:
    """The earliest start after a report is the later of the old one and the expected date."""
    state = _state(earliest=TODAY + timedelta(days=earliest))
    report = GoodsReport(G.IN_TRANSIT, TODAY + timedelta(days=expected))
    outcome = apply_goods_report(state, report, TODAY)
    assert outcome.earliest_start == max(state.earliest_start, report.expected)
    assert outcome.step is None and outcome.expected == report.expected


def test_the_same_in_transit_report_is_not_news() -> None:
    """The same expected date again changes nothing."""
    day = TODAY + timedelta(days=2)
    state = _state(S.AWAITING_GOODS, G.IN_TRANSIT, expected=day)
    assert not apply_goods_report(state, GoodsReport(G.IN_TRANSIT, day), TODAY).changed
