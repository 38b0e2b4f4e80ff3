"""The order lifecycle: one state machine that every status change goes through."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OrderStatus(StrEnum):
    NEW = "new"
    NEEDS_LOCATION = "needs_location"  # taken in, but its address could not be placed even in a district
    AWAITING_GOODS = "awaiting_goods"
    READY_TO_SCHEDULE = "ready_to_schedule"
    SCHEDULED = "scheduled"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CLOSED = "closed"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


class OrderAction(StrEnum):
    AWAIT_LOCATION = "await_location"
    LOCATE = "locate"
    AWAIT_GOODS = "await_goods"
    RELEASE = "release"
    SCHEDULE = "schedule"
    UNSCHEDULE = "unschedule"
    DISPATCH = "dispatch"
    START = "start"
    COMPLETE = "complete"
    CLOSE = "close"
    HOLD = "hold"
    RESUME = "resume"
    CANCEL = "cancel"
    CANNOT_COMPLETE = "cannot_complete"


S = OrderStatus
A = OrderAction

# Where an order still open can be put on hold or cancelled from.
_OPEN = (S.NEW, S.AWAITING_GOODS, S.READY_TO_SCHEDULE, S.SCHEDULED, S.DISPATCHED)

_TRANSITIONS: dict[tuple[OrderStatus, OrderAction], OrderStatus] = {
    # An order nobody can place waits for a dispatcher's pin, then starts again as new; it has no region
    # until then, so it can be cancelled but not held (resuming would make it schedulable unplaced).
    (S.NEW, A.AWAIT_LOCATION): S.NEEDS_LOCATION,
    (S.NEEDS_LOCATION, A.LOCATE): S.NEW,
    (S.NEEDS_LOCATION, A.CANCEL): S.CANCELLED,
    (S.NEW, A.AWAIT_GOODS): S.AWAITING_GOODS,
    (S.NEW, A.RELEASE): S.READY_TO_SCHEDULE,
    (S.AWAITING_GOODS, A.RELEASE): S.READY_TO_SCHEDULE,
    # A customer may book a slot on or after the day the goods arrive, before they have.
    (S.AWAITING_GOODS, A.SCHEDULE): S.SCHEDULED,
    (S.READY_TO_SCHEDULE, A.SCHEDULE): S.SCHEDULED,
    (S.SCHEDULED, A.UNSCHEDULE): S.READY_TO_SCHEDULE,
    (S.SCHEDULED, A.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, A.UNSCHEDULE): S.READY_TO_SCHEDULE,
    (S.DISPATCHED, A.START): S.IN_PROGRESS,
    (S.DISPATCHED, A.CANNOT_COMPLETE): S.READY_TO_SCHEDULE,
    (S.IN_PROGRESS, A.COMPLETE): S.COMPLETED,
    (S.IN_PROGRESS, A.CANNOT_COMPLETE): S.READY_TO_SCHEDULE,
    (S.IN_PROGRESS, A.HOLD): S.ON_HOLD,
    (S.COMPLETED, A.CLOSE): S.CLOSED,
    (S.ON_HOLD, A.RESUME): S.READY_TO_SCHEDULE,
    (S.ON_HOLD, A.CANCEL): S.CANCELLED,
    **{(state, A.HOLD): S.ON_HOLD for state in _OPEN},
    **{(state, A.CANCEL): S.CANCELLED for state in _OPEN},
}

REASON_REQUIRED = frozenset({A.HOLD, A.CANCEL, A.CANNOT_COMPLETE})
TERMINAL = frozenset({S.CLOSED, S.CANCELLED})


class TransitionError(ValueError):
    """An action the order's current status does not allow."""

    def __init__(self, status: OrderStatus, action: OrderAction) -> None:
        allowed = ", ".join(sorted(a.value for a in allowed_actions(status))) or "none"
        super().__init__(f"cannot {action.value} an order that is {status.value} (allowed: {allowed})")
        self.status = status
        self.action = action


class ReasonRequired(ValueError):
    """Holding, cancelling and failing a visit must say why."""

    def __init__(self, action: OrderAction) -> None:
        super().__init__(f"{action.value} needs a reason")
        self.action = action


@dataclass(frozen=True, slots=True)
class Transition:
    """One step of an order's life, ready to be written to the event log."""

    action: OrderAction
    from_status: OrderStatus
    to_status: OrderStatus
    reason: str | None = None


def allowed_actions(status: OrderStatus) -> frozenset[OrderAction]:
    """What may happen next, for buttons and error messages."""
    return frozenset(action for (state, action) in _TRANSITIONS if state == status)


def transition(status: OrderStatus | str, action: OrderAction | str, reason: str | None = None) -> Transition:
    """Decide the next status so that every caller obeys the same rules."""
    status, action = OrderStatus(status), OrderAction(action)
    target = _TRANSITIONS.get((status, action))
    if target is None:
        raise TransitionError(status, action)
    reason = reason.strip() if reason else None
    if action in REASON_REQUIRED and not reason:
        raise ReasonRequired(action)
    return Transition(action=action, from_status=status, to_status=target, reason=reason)
