"""The visit state machine: what a phone may report, in which order, and what it does to the order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispatch.lifecycle import OrderAction


class VisitStatus(StrEnum):
    BOOKED = "booked"  # the customer has a window, and maybe a tentative technician; no time yet
    PLANNED = "planned"  # on a plan that is not published
    DISPATCHED = "dispatched"  # on a technician's published route
    ACCEPTED = "accepted"
    EN_ROUTE = "en_route"
    ARRIVED = "arrived"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    COMPLETED = "completed"
    CANNOT_COMPLETE = "cannot_complete"
    CANCELLED = "cancelled"


class VisitEventType(StrEnum):
    ACCEPT = "accept"
    DEPART = "depart"
    ARRIVE = "arrive"
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    CANNOT_COMPLETE = "cannot_complete"


class CannotCompleteReason(StrEnum):
    CUSTOMER_ABSENT = "customer_absent"
    GOODS_MISSING = "goods_missing"
    GOODS_DAMAGED = "goods_damaged"
    NEEDS_PART = "needs_part"
    NEEDS_SECOND_TECHNICIAN = "needs_second_technician"
    SITE_NOT_READY = "site_not_ready"
    OTHER = "other"


V = VisitStatus
E = VisitEventType
R = CannotCompleteReason

# Visits a technician has taken on: they may be given up at any point, and a new plan leaves them in place.
TAKEN_ON = frozenset({V.ACCEPTED, V.EN_ROUTE, V.ARRIVED, V.IN_PROGRESS, V.PAUSED})

_TRANSITIONS: dict[tuple[VisitStatus, VisitEventType], VisitStatus] = {
    (V.DISPATCHED, E.ACCEPT): V.ACCEPTED,
    (V.ACCEPTED, E.DEPART): V.EN_ROUTE,
    (V.EN_ROUTE, E.ARRIVE): V.ARRIVED,
    (V.ARRIVED, E.START): V.IN_PROGRESS,
    (V.IN_PROGRESS, E.PAUSE): V.PAUSED,
    (V.PAUSED, E.RESUME): V.IN_PROGRESS,
    (V.IN_PROGRESS, E.COMPLETE): V.COMPLETED,
    **{(state, E.CANNOT_COMPLETE): V.CANNOT_COMPLETE for state in TAKEN_ON},
}

# How far along a visit is; paused is as far as in progress, and both endings are the end.
_PROGRESS = {
    V.DISPATCHED: 0,
    V.ACCEPTED: 1,
    V.EN_ROUTE: 2,
    V.ARRIVED: 3,
    V.IN_PROGRESS: 4,
    V.PAUSED: 4,
    V.COMPLETED: 5,
    V.CANNOT_COMPLETE: 5,
}
_REACHES = {
    E.ACCEPT: V.ACCEPTED,
    E.DEPART: V.EN_ROUTE,
    E.ARRIVE: V.ARRIVED,
    E.START: V.IN_PROGRESS,
    E.PAUSE: V.PAUSED,
    E.RESUME: V.IN_PROGRESS,
    E.COMPLETE: V.COMPLETED,
    E.CANNOT_COMPLETE: V.CANNOT_COMPLETE,
}

# The goods are the seller's problem, not the schedule's: the order waits on hold until they are sorted out.
GOODS_REASONS = frozenset({R.GOODS_MISSING, R.GOODS_DAMAGED})
# A visit reaches the technician's phone when it is dispatched: a customer's booking names a technician only
# tentatively, and a plan may still give it to someone else or another time.
NOT_YET_DISPATCHED = frozenset({V.BOOKED, V.PLANNED})
VISIBLE_TO_TECHNICIAN = frozenset(set(V) - NOT_YET_DISPATCHED - {V.CANCELLED})
CLOSED = frozenset({V.COMPLETED, V.CANNOT_COMPLETE, V.CANCELLED})


class VisitTransitionError(ValueError):
    """An event the visit's current status does not allow."""

    def __init__(self, status: VisitStatus, event: VisitEventType) -> None:
        allowed = ", ".join(sorted(e.value for e in allowed_events(status))) or "none"
        super().__init__(f"cannot {event.value} a visit that is {status.value} (allowed: {allowed})")
        self.status = status
        self.event = event


class OutcomeReasonError(ValueError):
    """A visit that cannot be completed must say why, from the fixed list, with a note for `other`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class VisitStep:
    """One reported event, decided: the visit's next status and what the order must do, if anything."""

    event: VisitEventType
    from_status: VisitStatus
    to_status: VisitStatus
    order_action: OrderAction | None = None
    reason: CannotCompleteReason | None = None
    note: str | None = None

    @property
    def order_reason(self) -> str | None:
        """The reason the order lifecycle logs: the code, and the technician's note when there is one."""
        if self.reason is None:
            return None
        return f"{self.reason.value}: {self.note}" if self.note else self.reason.value


def allowed_events(status: VisitStatus | str) -> frozenset[VisitEventType]:
    """What the phone may report next, for its buttons and for error messages."""
    status = VisitStatus(status)
    return frozenset(event for (state, event) in _TRANSITIONS if state == status)


def visit_step(
    status: VisitStatus | str,
    event: VisitEventType | str,
    *,
    reason: CannotCompleteReason | str | None = None,
    note: str | None = None,
) -> VisitStep:
    """Decide a reported event so that the phone API and offline sync obey the same rules."""
    status, event = VisitStatus(status), VisitEventType(event)
    target = _TRANSITIONS.get((status, event))
    if target is None:
        raise VisitTransitionError(status, event)
    note = note.strip() if note and note.strip() else None
    if event is not E.CANNOT_COMPLETE:
        return VisitStep(
            event=event, from_status=status, to_status=target, order_action=_ORDER[event], note=note
        )
    code = _outcome_reason(reason, note)
    action = OrderAction.HOLD if code in GOODS_REASONS else OrderAction.CANNOT_COMPLETE
    return VisitStep(
        event=event, from_status=status, to_status=target, order_action=action, reason=code, note=note
    )


_ORDER: dict[VisitEventType, OrderAction | None] = {
    E.ACCEPT: None,
    E.DEPART: None,
    E.ARRIVE: None,
    E.START: OrderAction.START,
    E.PAUSE: None,
    E.RESUME: None,
    E.COMPLETE: OrderAction.COMPLETE,
}


def _outcome_reason(reason: CannotCompleteReason | str | None, note: str | None) -> CannotCompleteReason:
    if not reason:
        raise OutcomeReasonError("reason", "cannot_complete needs a reason")
    try:
        code = CannotCompleteReason(reason)
    except ValueError:
        choices = ", ".join(r.value for r in CannotCompleteReason)
        raise OutcomeReasonError("reason", f"must be one of: {choices}") from None
    if code is R.OTHER and not note:
        raise OutcomeReasonError("note", "a reason of `other` needs a note saying what happened")
    return code


# Work is done on the visit's day, in its region's time, judged by when the event happened (a phone that was
# offline reports later): a visit may be accepted ahead, but setting out, arriving and starting wait for its
# day, and a dispatcher moves a visit to do it on another. What follows a start goes with the work, even past
# midnight, never before the day. Giving a visit up (cannot_complete) may be reported whenever it turns out.
ON_ITS_DAY = frozenset({E.DEPART, E.ARRIVE, E.START})
NOT_BEFORE_ITS_DAY = frozenset({E.PAUSE, E.RESUME, E.COMPLETE})


class VisitDayError(ValueError):
    """An event reported on a day its visit is not for."""

    def __init__(self, event: VisitEventType, visit_day: date, event_day: date) -> None:
        super().__init__(
            f"cannot {event.value} on {event_day.isoformat()}: the visit is for {visit_day.isoformat()}; "
            "a dispatcher must move it first"
        )
        self.event, self.visit_day, self.event_day = event, visit_day, event_day


def check_event_day(event: VisitEventType | str, *, visit_day: date, event_day: date) -> None:
    """Refuse an event on a day its visit is not for; both days in the visit's region's time zone."""
    event = VisitEventType(event)
    wrong = (event in ON_ITS_DAY and event_day != visit_day) or (
        event in NOT_BEFORE_ITS_DAY and event_day < visit_day
    )
    if wrong:
        raise VisitDayError(event, visit_day, event_day)


def already_passed(status: VisitStatus | str, event: VisitEventType | str) -> bool:
    """True when the visit is already at or past where the event would take it: a late, redundant report."""
    status, event = VisitStatus(status), VisitEventType(event)
    if (status, event) in _TRANSITIONS or status not in _PROGRESS:
        return False
    return _PROGRESS[_REACHES[event]] <= _PROGRESS[status]


class VisitChange(StrEnum):
    """What the office side does to a visit: customers booking, plans and dispatchers placing it."""

    BOOK = "book"  # a customer takes a slot
    RESCHEDULE = "reschedule"  # the customer moves it to another slot
    PLAN = "plan"  # a publication places a visit that did not exist
    ASSIGN = "assign"  # a dispatcher places a visit that did not exist
    DISPATCH = "dispatch"  # a booked visit gets its technician and time
    REPLAN = "replan"  # a publication moves a dispatched visit
    MOVE = "move"  # a dispatcher moves it by hand
    RETIME = "retime"  # pushed later on its route, within its window, to make room for another visit
    UNPLAN = "unplan"  # taken off the routes; the customer keeps the window
    CANCEL = "cancel"


C = VisitChange
_NOT_STARTED = (V.BOOKED, V.PLANNED, V.DISPATCHED)
_CHANGES: dict[tuple[VisitStatus | None, VisitChange], VisitStatus] = {
    (None, C.BOOK): V.BOOKED,
    (V.BOOKED, C.RESCHEDULE): V.BOOKED,
    (None, C.PLAN): V.DISPATCHED,
    (None, C.ASSIGN): V.DISPATCHED,
    (V.BOOKED, C.DISPATCH): V.DISPATCHED,
    (V.PLANNED, C.DISPATCH): V.DISPATCHED,
    (V.DISPATCHED, C.REPLAN): V.DISPATCHED,
    (V.DISPATCHED, C.RETIME): V.DISPATCHED,
    **{(state, C.MOVE): V.DISPATCHED for state in _NOT_STARTED},
    (V.PLANNED, C.UNPLAN): V.BOOKED,
    (V.DISPATCHED, C.UNPLAN): V.BOOKED,
    **{(state, C.CANCEL): V.CANCELLED for state in (*_NOT_STARTED, V.ACCEPTED, V.EN_ROUTE, V.ARRIVED)},
}


class VisitChangeError(ValueError):
    """An office change the visit's status does not allow (work under way is the phone's to report)."""

    def __init__(self, status: VisitStatus | None, change: VisitChange) -> None:
        where = "a new visit" if status is None else f"a visit that is {status.value}"
        super().__init__(f"cannot {change.value} {where}")
        self.status, self.change = status, change


def visit_change(status: VisitStatus | str | None, change: VisitChange | str) -> VisitStatus:
    """The status an office change leaves the visit in, so that every writer of visits obeys one table."""
    status = None if status is None else VisitStatus(status)
    change = VisitChange(change)
    target = _CHANGES.get((status, change))
    if target is None:
        raise VisitChangeError(status, change)
    return target
