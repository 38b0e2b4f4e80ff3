"""Writing to the event log: who did what, when, from which state to which.

Every row written here is about an order, and its service-level clocks are recomputed from the grown log
in the same transaction: this is the one place that keeps them in step with the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.extensions import db
from app.models import Event, Order, User, Visit
from app.services.order_clocks import refresh_clocks
from dispatch import Transition


@dataclass(frozen=True, slots=True)
class Actor:
    """Whoever caused a change, as the audit log names them."""

    type: str  # user, customer, system
    name: str
    user_id: int | None = None

    @classmethod
    def of(cls, user: User) -> Actor:
        """The actor for a logged-in user."""
        return cls(type="user", name=user.login, user_id=user.id)


SYSTEM = Actor(type="system", name="system")


def record_order_transition(
    order: Order, step: Transition, actor: Actor, *, data: dict[str, Any] | None = None
) -> Event:
    """Apply a lifecycle step to the order and log it in the same transaction."""
    order.status = step.to_status.value
    entry = Event(
        order=order,
        subject="order",
        action=step.action.value,
        from_state=step.from_status.value,
        to_state=step.to_status.value,
        reason=step.reason,
        actor_type=actor.type,
        actor_id=actor.user_id,
        actor_name=actor.name,
        data=data,
    )
    db.session.add(entry)
    _logged(order)
    return entry


def record_order_event(
    order: Order,
    *,
    action: str,
    actor: Actor,
    subject: str = "order",
    step: Transition | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Log something that happened to an order under its own name (goods, a survey, a complaint).

    A lifecycle step it causes is applied as record_order_transition applies it, and the event keeps the
    lifecycle action in its data, so that a reader of status changes finds it under the cause's name (say
    `goods_delivered`); without a step, the states are the subject's own (a complaint's, say).
    """
    if step is not None:
        order.status = step.to_status.value
        data = {**(data or {}), "lifecycle_action": step.action.value}
        from_state, to_state = step.from_status.value, step.to_status.value
    entry = Event(
        order=order,
        subject=subject,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=step.reason if step is not None else None,
        actor_type=actor.type,
        actor_id=actor.user_id,
        actor_name=actor.name,
        data=data,
    )
    db.session.add(entry)
    _logged(order)
    return entry


def record_visit_change(
    visit: Visit,
    *,
    action: str,
    from_state: str | None,
    to_state: str | None,
    actor: Actor,
    reason: str | None = None,
    reported_at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Log a change to a visit; the visit's own status is set by its caller."""
    entry = Event(
        order_id=visit.order_id,
        visit=visit,
        subject="visit",
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        actor_type=actor.type,
        actor_id=actor.user_id,
        actor_name=actor.name,
        reported_at=reported_at,
        data=data,
    )
    db.session.add(entry)
    _logged(visit.order)
    return entry


def _logged(order: Order) -> None:
    """Bring the order's clocks up to the row just added."""
    db.session.flush()
    refresh_clocks(order)
