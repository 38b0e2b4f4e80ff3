"""The one reading of an order's event log as the service-level clocks see it (`dispatch.ClockEvent`).

Rows are read in the order they were logged (server time, then id). Whatever is not in this table leaves the
clocks alone (a dispatch, a retime, a lock, a complaint's own steps):

| logged row                                                   | clock events                              |
|--------------------------------------------------------------|-------------------------------------------|
| the order's first `order` row (its intake step)              | received, then as any order row below     |
| `order` row leaving awaiting_goods (release, goods_delivered,| resumed                                   |
| a booking before the goods came)                             |                                           |
| `order` row leaving on_hold (resume, cancel)                 | resumed                                   |
| `order` row entering awaiting_goods                          | paused, awaiting_goods                    |
| `order` row entering on_hold (hold)                          | paused, customer_hold                     |
| `order` row entering completed / cancelled / closed          | completed / cancelled / closed            |
| `visit` row book, reschedule, plan, assign                   | appointment_confirmed with the window the |
|                                                              | row records (else the visit's), and its   |
|                                                              | `earliest_offered` if the row recorded it |
| `visit` row entering arrived                                 | arrived                                   |
| `survey` answer with `solved: true`                          | confirmed_by_customer                     |

A row leaving a pause is read before one entering a pause, so awaiting_goods -> on_hold is one pause ending
and another beginning. Completion is the order's (the phone's last visit step completes it in the same
transaction): resolution is about the order. Times are the server's receive times (`Event.at`), in the
order the log was written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.models import Event
from dispatch import OrderStatus
from dispatch.service_levels import ClockEvent, EventKind, PauseReason
from dispatch.visits import VisitChange, VisitStatus

PAUSING = {
    OrderStatus.AWAITING_GOODS.value: PauseReason.AWAITING_GOODS,
    OrderStatus.ON_HOLD.value: PauseReason.CUSTOMER_HOLD,
}
ENDING = {
    OrderStatus.COMPLETED.value: EventKind.COMPLETED,
    OrderStatus.CANCELLED.value: EventKind.CANCELLED,
    OrderStatus.CLOSED.value: EventKind.CLOSED,
}
APPOINTING = frozenset({VisitChange.BOOK, VisitChange.RESCHEDULE, VisitChange.PLAN, VisitChange.ASSIGN})
VISIT_STEPS = {VisitStatus.ARRIVED.value: EventKind.ARRIVED}


def clock_events(rows: Iterable[Event]) -> list[ClockEvent]:
    """The clock events an order's log rows stand for, in the log's order."""
    found: list[ClockEvent] = []
    received = False
    for row in rows:
        if row.subject == "order":
            if not received:
                found.append(ClockEvent(row.at, EventKind.RECEIVED, row.actor_name))
                received = True
            found.extend(_order_row(row))
        elif row.subject == "visit" and received:
            found.extend(_visit_row(row))
        elif row.subject == "survey" and received and (row.data or {}).get("solved") is True:
            found.append(ClockEvent(row.at, EventKind.CONFIRMED_BY_CUSTOMER, row.actor_name))
    return found


def _order_row(row: Event) -> list[ClockEvent]:
    before, after = row.from_state, row.to_state
    if after is None or before == after:
        return []
    found = []
    if before in PAUSING:
        found.append(ClockEvent(row.at, EventKind.RESUMED, row.actor_name))
    if after in PAUSING:
        found.append(ClockEvent(row.at, EventKind.PAUSED, row.actor_name, reason=PAUSING[after]))
    if after in ENDING:
        found.append(ClockEvent(row.at, ENDING[after], row.actor_name))
    return found


def _visit_row(row: Event) -> list[ClockEvent]:
    if row.action in APPOINTING:
        start, end = _window(row)
        if start is None or end is None:
            return []
        earliest = _moment((row.data or {}).get("earliest_offered"))
        if earliest is not None and earliest > start:
            earliest = None  # offered after the choice was made: it says nothing about this one
        return [
            ClockEvent(
                row.at,
                EventKind.APPOINTMENT_CONFIRMED,
                row.actor_name,
                window_start=start,
                window_end=end,
                earliest_offered=earliest,
            )
        ]
    if row.to_state in VISIT_STEPS and row.from_state != row.to_state:
        return [ClockEvent(row.at, VISIT_STEPS[row.to_state], row.actor_name)]
    return []


def _window(row: Event) -> tuple[datetime | None, datetime | None]:
    """The window a booking row promises: its own record (a reschedule's `to`), else the visit's."""
    data: dict[str, Any] = row.data or {}
    window = data.get("to") if isinstance(data.get("to"), dict) else data
    start, end = _moment(window.get("start")), _moment(window.get("end"))
    if (start is None or end is None) and row.visit is not None:
        return row.visit.window_start, row.visit.window_end
    return start, end


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 moment from a row's data, if it holds an aware one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
