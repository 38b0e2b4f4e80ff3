"""How an order's log rows read as service-level clock events, with no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.models import Event, Visit
from app.services.clock_log import clock_events
from dispatch.service_levels import EventKind, PauseReason

T0 = datetime(2026, 11, 13, 3, 0, tzinfo=UTC)
K = EventKind


def row(
    subject: str, action: str, before: str | None, after: str | None, minutes: int = 0, **kw: Any
) -> Event:
    """A log row written `minutes` after T0."""
    return Event(
        subject=subject,
        action=action,
        from_state=before,
        to_state=after,
        actor_name="dispatcher",
        actor_type="user",
        at=T0 + timedelta(minutes=minutes),
        **kw,
    )


def kinds(rows: list[Event]) -> list[tuple[EventKind, PauseReason | None]]:
    return [(event.kind, event.reason) for event in clock_events(rows)]


def test_the_first_order_row_is_received() -> None:
    """Intake is `received`; a second order row is not."""
    rows = [
        row("order", "release", "new", "ready_to_schedule"),
        row("order", "schedule", "ready_to_schedule", "scheduled", 5),
    ]
    assert kinds(rows) == [(K.RECEIVED, None)]


def test_intake_into_awaiting_goods_starts_paused() -> None:
    """An order taken in waiting for goods is received and paused at once."""
    assert kinds([row("order", "await_goods", "new", "awaiting_goods")]) == [
        (K.RECEIVED, None),
        (K.PAUSED, PauseReason.AWAITING_GOODS),
    ]


@pytest.mark.parametrize(
    ("action", "before", "after", "expected"),
    [
        ("hold", "ready_to_schedule", "on_hold", [(K.PAUSED, PauseReason.CUSTOMER_HOLD)]),
        ("resume", "on_hold", "ready_to_schedule", [(K.RESUMED, None)]),
        ("goods_delivered", "awaiting_goods", "ready_to_schedule", [(K.RESUMED, None)]),
        ("hold", "awaiting_goods", "on_hold", [(K.RESUMED, None), (K.PAUSED, PauseReason.CUSTOMER_HOLD)]),
        ("cancel", "on_hold", "cancelled", [(K.RESUMED, None), (K.CANCELLED, None)]),
        ("close", "completed", "closed", [(K.CLOSED, None)]),
        ("goods_in_transit", "ready_to_schedule", "ready_to_schedule", []),
        ("dispatch", "scheduled", "dispatched", []),
    ],
)
def test_order_rows(action: str, before: str, after: str, expected: list[Any]) -> None:
    """Entering and leaving awaiting_goods and on_hold pause and resume; cancelled and closed end."""
    rows = [row("order", "release", "new", "ready_to_schedule"), row("order", action, before, after, 5)]
    assert kinds(rows)[1:] == expected


def test_a_booking_confirms_its_window_and_a_reschedule_the_new_one() -> None:
    """book reads its window; reschedule its `to`; the earliest slot offered goes with it."""
    start, end = T0 + timedelta(days=3), T0 + timedelta(days=3, hours=2)
    window = {"start": start.isoformat(), "end": end.isoformat()}
    moved = {"start": (start + timedelta(days=1)).isoformat(), "end": (end + timedelta(days=1)).isoformat()}
    rows = [
        row("order", "release", "new", "ready_to_schedule"),
        row(
            "visit",
            "book",
            None,
            "booked",
            5,
            data={**window, "earliest_offered": (start - timedelta(days=1)).isoformat()},
        ),
        row("visit", "reschedule", "booked", "booked", 9, data={"from": window, "to": moved}),
    ]
    _, booked, rescheduled = clock_events(rows)
    assert (booked.kind, booked.window_start, booked.window_end) == (K.APPOINTMENT_CONFIRMED, start, end)
    assert booked.earliest_offered == start - timedelta(days=1)
    assert rescheduled.window_start == start + timedelta(days=1) and rescheduled.earliest_offered is None


def test_a_planned_visit_without_a_recorded_window_confirms_the_visits() -> None:
    """A publication's row that names no window confirms the visit's own."""
    start, end = T0 + timedelta(days=1), T0 + timedelta(days=1, hours=3)
    visit = Visit(window_start=start, window_end=end)
    rows = [
        row("order", "release", "new", "ready_to_schedule"),
        row("visit", "plan", None, "dispatched", 5, visit=visit),
    ]
    assert clock_events(rows)[1].window_start == start


@pytest.mark.parametrize(
    ("subject", "action", "before", "after", "data", "expected"),
    [
        ("visit", "arrive", "en_route", "arrived", None, [K.ARRIVED]),
        ("visit", "complete", "in_progress", "completed", None, []),  # the order's row says it
        ("order", "complete", "in_progress", "completed", None, [K.COMPLETED]),
        ("visit", "retime", "dispatched", "dispatched", None, []),
        ("survey", "answer", None, None, {"solved": True}, [K.CONFIRMED_BY_CUSTOMER]),
        ("survey", "answer", None, None, {"solved": False}, []),
        ("complaint", "open", None, "open", None, []),
    ],
)
def test_field_and_customer_rows(subject, action, before, after, data, expected) -> None:
    """Arrival comes from the visit, completion from the order, confirmation from a survey saying solved."""
    rows = [
        row("order", "release", "new", "ready_to_schedule"),
        row(subject, action, before, after, 5, data=data),
    ]
    assert [event.kind for event in clock_events(rows)[1:]] == expected


def test_nothing_counts_before_the_order_is_received() -> None:
    """A log with no order row has no clock events."""
    assert clock_events([row("visit", "arrive", "en_route", "arrived")]) == []
