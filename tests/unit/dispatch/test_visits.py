"""The visit state machine and the checklists per kind of work."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dispatch.checklists import CHECKLISTS, checklist_for, unanswered
from dispatch.intake import OrderKind
from dispatch.lifecycle import OrderAction
from dispatch.visits import (
    CannotCompleteReason,
    OutcomeReasonError,
    VisitDayError,
    VisitEventType,
    VisitStatus,
    VisitTransitionError,
    allowed_events,
    already_passed,
    check_event_day,
    visit_step,
)

V, E, R = VisitStatus, VisitEventType, CannotCompleteReason

HAPPY_PATH = [
    (V.DISPATCHED, E.ACCEPT, V.ACCEPTED, None),
    (V.ACCEPTED, E.DEPART, V.EN_ROUTE, None),
    (V.EN_ROUTE, E.ARRIVE, V.ARRIVED, None),
    (V.ARRIVED, E.START, V.IN_PROGRESS, OrderAction.START),
    (V.IN_PROGRESS, E.PAUSE, V.PAUSED, None),
    (V.PAUSED, E.RESUME, V.IN_PROGRESS, None),
    (V.IN_PROGRESS, E.COMPLETE, V.COMPLETED, OrderAction.COMPLETE),
]
LEGAL = {(state, event) for state, event, _, _ in HAPPY_PATH} | {
    (state, E.CANNOT_COMPLETE) for state in (V.ACCEPTED, V.EN_ROUTE, V.ARRIVED, V.IN_PROGRESS, V.PAUSED)
}
ILLEGAL = sorted(set(itertools.product(V, E)) - LEGAL)


@pytest.mark.parametrize(("state", "event", "target", "order_action"), HAPPY_PATH)
def test_happy_path_steps(
    state: VisitStatus, event: VisitEventType, target: VisitStatus, order_action
) -> None:
    """Each step of an uneventful visit leads to the next status and moves the order only at start and end."""
    step = visit_step(state, event)
    assert (step.from_status, step.to_status, step.order_action) == (state, target, order_action)


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_illegal_events_are_refused(state: VisitStatus, event: VisitEventType) -> None:
    """Every pair of status and event outside the machine raises, naming what is allowed."""
    with pytest.raises(VisitTransitionError, match="allowed"):
        visit_step(state, event, reason="customer_absent")


@pytest.mark.parametrize(
    ("reason", "action"),
    [
        (R.CUSTOMER_ABSENT, OrderAction.CANNOT_COMPLETE),
        (R.NEEDS_PART, OrderAction.CANNOT_COMPLETE),
        (R.NEEDS_SECOND_TECHNICIAN, OrderAction.CANNOT_COMPLETE),
        (R.SITE_NOT_READY, OrderAction.CANNOT_COMPLETE),
        (R.GOODS_MISSING, OrderAction.HOLD),
        (R.GOODS_DAMAGED, OrderAction.HOLD),
    ],
)
def test_cannot_complete_sends_goods_problems_on_hold(
    reason: CannotCompleteReason, action: OrderAction
) -> None:
    """Missing or damaged goods hold the order; every other reason sends it back to scheduling."""
    step = visit_step(V.ARRIVED, E.CANNOT_COMPLETE, reason=reason)
    assert (step.to_status, step.order_action, step.order_reason) == (V.CANNOT_COMPLETE, action, reason.value)


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [
        (None, None, "reason"),
        ("", "x", "reason"),
        ("bored", None, "reason"),
        ("other", None, "note"),
        ("other", "  ", "note"),
    ],
)
def test_cannot_complete_needs_a_known_reason(reason: str | None, note: str | None, field: str) -> None:
    """No reason, an unknown one, or `other` without a note is refused, naming the field at fault."""
    with pytest.raises(OutcomeReasonError) as caught:
        visit_step(V.ARRIVED, E.CANNOT_COMPLETE, reason=reason, note=note)
    assert caught.value.field == field


def test_other_reason_keeps_the_note() -> None:
    """The note explains `other` in the order's log."""
    step = visit_step(V.EN_ROUTE, E.CANNOT_COMPLETE, reason="other", note=" road closed ")
    assert step.order_reason == "other: road closed"


@pytest.mark.parametrize(
    ("state", "event", "passed"),
    [
        (V.ACCEPTED, E.ACCEPT, True),
        (V.IN_PROGRESS, E.ARRIVE, True),
        (V.PAUSED, E.PAUSE, True),
        (V.IN_PROGRESS, E.RESUME, True),
        (V.COMPLETED, E.CANNOT_COMPLETE, True),
        (V.CANNOT_COMPLETE, E.START, True),
        (V.DISPATCHED, E.COMPLETE, False),
        (V.EN_ROUTE, E.START, False),
        (V.PAUSED, E.COMPLETE, False),
        (V.ACCEPTED, E.DEPART, False),
        (V.CANCELLED, E.ACCEPT, False),
    ],
)
def test_already_passed(state: VisitStatus, event: VisitEventType, passed: bool) -> None:
    """An event for a point the visit has reached or left behind is late; skipping ahead is not."""
    assert already_passed(state, event) is passed


@given(st.sampled_from(list(V)), st.sampled_from(list(E)))
def test_allowed_events_agree_with_steps(state: VisitStatus, event: VisitEventType) -> None:
    """An event is offered exactly when deciding it succeeds, and never both allowed and late."""
    allowed = event in allowed_events(state)
    try:
        visit_step(state, event, reason="customer_absent")
        decided = True
    except VisitTransitionError:
        decided = False
    assert allowed is decided
    assert not (allowed and already_passed(state, event))


DAY = date(2026, 12, 5)
DAY_BEFORE, DAY_AFTER = DAY - timedelta(days=1), DAY + timedelta(days=1)
# Per event: allowed on the day before, on the visit's day, and the day after.
EVENT_DAYS = {
    E.ACCEPT: (True, True, True),  # a visit may be taken on ahead, or late
    E.DEPART: (False, True, False),  # setting out, arriving and starting happen on the visit's day only
    E.ARRIVE: (False, True, False),
    E.START: (False, True, False),
    E.PAUSE: (False, True, True),  # work started on the day may run on past midnight
    E.RESUME: (False, True, True),
    E.COMPLETE: (False, True, True),
    E.CANNOT_COMPLETE: (True, True, True),  # a visit may be given up whenever it turns out it cannot be done
}


@pytest.mark.parametrize(("event", "allowed"), EVENT_DAYS.items(), ids=lambda v: getattr(v, "value", None))
def test_work_happens_on_the_visits_day(event: VisitEventType, allowed: tuple[bool, bool, bool]) -> None:
    """Nothing but accepting or giving up a visit happens before its day; setting out and starting, on it."""
    for event_day, ok in zip((DAY_BEFORE, DAY, DAY_AFTER), allowed, strict=True):
        if ok:
            check_event_day(event, visit_day=DAY, event_day=event_day)
            continue
        with pytest.raises(VisitDayError) as refused:
            check_event_day(event, visit_day=DAY, event_day=event_day)
        assert "the visit is for 2026-12-05" in str(refused.value)
        assert refused.value.visit_day == DAY


def test_every_event_has_a_day_rule() -> None:
    """The table above covers every event type, so a new one cannot slip past the day check untested."""
    assert set(EVENT_DAYS) == set(VisitEventType)


@pytest.mark.parametrize("kind", list(OrderKind))
def test_every_kind_has_a_short_checklist(kind: OrderKind) -> None:
    """Each kind of work has 3 to 6 questions with distinct codes."""
    items = checklist_for(kind)
    assert 3 <= len(items) <= 6
    assert len({item.code for item in items}) == len(items)


@pytest.mark.parametrize("kind", list(OrderKind))
def test_checklist_answers_are_checked(kind: OrderKind) -> None:
    """All items answered is clean; a missing item and an unknown code are each named."""
    answers = {item.code: True for item in CHECKLISTS[kind]}
    assert unanswered(kind, answers) == {}
    first = CHECKLISTS[kind][0].code
    del answers[first]
    answers["made_up"] = False
    assert unanswered(kind, answers) == {first: "not answered", "made_up": "not on this checklist"}
